import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Db, Queryable } from '../db/types.ts'

export interface PhotoRetention {
  /** a photo attached to nothing is deleted this long after it was last sent */
  orphanHours: number
  /** how often each API process looks for them */
  everyMs: number
}
export const DEFAULT_PHOTO_RETENTION: PhotoRetention = { orphanHours: 24, everyMs: 3_600_000 }

/** photos deleted per transaction: a backlog goes in short steps, never one long lock */
const BATCH = 200

interface Reference {
  table: string
  column: string
  array: boolean
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * Every column that may hold a photo's id, read from the catalog on each run rather than listed
 * here, so a table added later (a dispute's evidence, a notice's gallery) protects its photos
 * without anyone remembering this job: a foreign key to photos, or any column whose name says
 * photo. Such a column must be an integer or an integer array; any other type is a column the
 * job cannot read, and it refuses to delete anything rather than guess.
 */
export async function photoReferences(db: Queryable): Promise<Reference[]> {
  const r = await db.query<{ table: string; column: string; type: string }>(
    `SELECT cl.relname AS table, a.attname AS column, t.typname AS type
       FROM pg_attribute a
       JOIN pg_class cl ON cl.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = current_schema() AND cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND cl.relname <> 'photos'
        AND (a.attname ILIKE '%photo%'
             OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND k.conrelid = cl.oid
                          AND k.confrelid = (SELECT oid FROM pg_class WHERE relname = 'photos' AND relnamespace = n.oid) AND a.attnum = ANY(k.conkey)))
      ORDER BY 1, 2`,
  )
  return r.rows.map(({ table, column, type }) => {
    if (!['int2', 'int4', 'int8', '_int2', '_int4', '_int8'].includes(type)) {
      throw new Error(`photo expiry: ${table}.${column} (${type}) may name photos and is not an integer or an integer array; nothing is deleted until the job knows how to read it`)
    }
    return { table, column, array: type.startsWith('_') }
  })
}

/** SQL naming every photo id held anywhere, optionally only among `among` (a bigint[] expression) */
function referencedIds(refs: Reference[], among?: string): string {
  return refs
    .map(({ table, column, array }) => {
      const c = quote(column)
      const where = among ? (array ? `${c}::bigint[] && ${among}` : `${c} = ANY(${among})`) : `${c} IS NOT NULL`
      return `SELECT ${array ? `unnest(${c})` : c}::bigint AS id FROM ${quote(table)} WHERE ${where}`
    })
    .join(' UNION ALL ')
}

/**
 * Deletes photos attached to nothing and not sent for `orphanHours` (`now` is the clock; tests
 * move it): their rows, then their files. Safe with several API processes running it at once:
 * each candidate is locked (skipping rows another run or an attaching transaction holds), looked
 * at again after the lock, and deleted with its files before the commit. Attaching a photo locks
 * it first (assertOwnPhotos: FOR KEY SHARE), so a photo being attached is skipped, and one
 * deleted first is refused to the attacher as not hers; a replay of the same bytes updates the
 * row, so it waits for the delete and then stores the photo anew. A file still named by another
 * row (uploads before files were named per uploader could share one) is kept.
 */
export async function expireOrphanPhotos(db: Db, dir: string, opts: { now?: Date; orphanHours?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date()
  const cutoff = new Date(now.getTime() - (opts.orphanHours ?? DEFAULT_PHOTO_RETENTION.orphanHours) * 3_600_000).toISOString()
  const refs = await photoReferences(db)
  const notReferenced = (among?: string) => (refs.length ? `NOT EXISTS (SELECT 1 FROM (${referencedIds(refs, among)}) r WHERE r.id = p.id)` : 'TRUE')
  let deleted = 0
  for (;;) {
    const candidates = await db.query<{ id: number }>(
      `SELECT p.id FROM photos p WHERE p.last_sent_at < $1 AND ${notReferenced()} ORDER BY p.id LIMIT ${BATCH}`, [cutoff])
    if (!candidates.rows.length) return deleted
    const gone = await db.transaction(async (tx) => {
      const locked = await tx.query<{ id: number }>(
        'SELECT id FROM photos WHERE id = ANY($1::int[]) AND last_sent_at < $2 FOR UPDATE SKIP LOCKED', [candidates.rows.map((c) => c.id), cutoff])
      if (!locked.rows.length) return 0
      // looked at again under the lock: an attachment committed since the first look keeps it
      const rows = await tx.query<{ original: string; display: string; thumb: string }>(
        `DELETE FROM photos p WHERE p.id = ANY($1::bigint[]) AND ${notReferenced('$1::bigint[]')} RETURNING p.original, p.display, p.thumb`,
        [locked.rows.map((l) => l.id)])
      const files = [...new Set(rows.rows.flatMap((f) => [f.original, f.display, f.thumb]))]
      if (files.length) {
        const shared = await tx.query<{ f: string }>(
          `SELECT unnest(ARRAY[original, display, thumb]) AS f FROM photos WHERE original = ANY($1::text[]) OR display = ANY($1::text[]) OR thumb = ANY($1::text[])`, [files])
        const kept = new Set(shared.rows.map((s) => s.f))
        // before the commit: a replay waiting on this row writes its files only after it
        await Promise.all(files.filter((f) => !kept.has(f)).map((f) => rm(join(dir, f), { force: true })))
      }
      return rows.rows.length
    })
    deleted += gone
    // every candidate held by someone else: leave them to the next run rather than spin
    if (gone === 0) return deleted
  }
}

export interface PhotoExpiry {
  /** where the photo files are (DATA_DIR/photos) */
  readonly dir: string
  /** one run now (or at `now`): how many photos were deleted */
  expireOrphans(now?: Date): Promise<number>
  close(): void
}

/** Runs the expiry on every API process, hourly; a run still going when the next is due is not doubled. */
export function startPhotoExpiry(db: Db, dir: string, log: FastifyBaseLogger, settings: Partial<PhotoRetention> = {}): PhotoExpiry {
  const s = { ...DEFAULT_PHOTO_RETENTION, ...settings }
  const expireOrphans = (now?: Date) => expireOrphanPhotos(db, dir, { now, orphanHours: s.orphanHours })
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    expireOrphans()
      .then((n) => n && log.info({ photos: n }, 'unattached photos expired'))
      .catch((err) => log.error({ err }, 'photo expiry failed'))
      .finally(() => (running = false))
  }, s.everyMs)
  timer.unref()
  return { dir, expireOrphans, close: () => clearInterval(timer) }
}

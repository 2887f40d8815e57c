import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { assertVillageInScope, ownTown, ownVillage } from '../access/scope.ts'
import { assertOwnPhotos } from '../photos/access.ts'

export { NOTICE_CATEGORIES, type DraftState, type NoticeCategory, type NoticeDraft } from '../../geo/notices.ts'
import type { DraftState, NoticeCategory, NoticeDraft } from '../../geo/notices.ts'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const DRAFT_JSON = `json_build_object('id', d.id, 'villageId', d.village_id, 'villageName', v.name, 'category', d.category, 'title', d.title,
  'body', d.body, 'photoIds', to_json(d.photo_ids), 'state', d.state, 'author', d.author, 'createdAt', ${iso('d.created_at')},
  'decidedBy', d.decided_by, 'decidedAt', ${iso('d.decided_at')}, 'reason', d.reason, 'noticeId', d.notice_id)`

async function getDraft(db: Queryable, id: number, lock = false): Promise<NoticeDraft> {
  const r = await db.query<{ draft: NoticeDraft }>(`SELECT ${DRAFT_JSON} AS draft FROM notice_drafts d JOIN villages v ON v.id = d.village_id WHERE d.id = $1 ${lock ? 'FOR UPDATE OF d' : ''}`, [id])
  if (!r.rows.length) throw notFound(`notice draft ${id}`)
  return r.rows[0].draft
}

/** A draft a user may touch: a cadre her village's, a leader or admin any. */
async function draftFor(db: Queryable, id: number, user: AuthUser, lock = false): Promise<NoticeDraft> {
  const d = await getDraft(db, id, lock)
  const village = ownVillage(user)
  if (village !== null && village !== d.villageId) throw new HttpError(403, `notice draft ${id} is outside your village`)
  // a town's leader approves her own town's notices
  if (village === null) await assertVillageInScope(db, user, d.villageId)
  return d
}

export interface DraftInput {
  villageId?: number
  category: NoticeCategory
  title: string
  body?: string
  photoIds?: number[]
}

export async function createDraft(db: Db, input: DraftInput, user: AuthUser): Promise<NoticeDraft> {
  const mine = ownVillage(user)
  const villageId = input.villageId ?? (typeof mine === 'number' ? mine : undefined)
  if (villageId === undefined) throw new HttpError(400, 'body/villageId is required')
  await assertVillageInScope(db, user, villageId)
  const id = await db.transaction(async (tx) => {
    // in the insert's transaction: its lock keeps the photos from expiring until they are attached
    await assertOwnPhotos(tx, input.photoIds, user)
    const r = await tx.query<{ id: number }>(
      `INSERT INTO notice_drafts (village_id, category, title, body, photo_ids, state, author) VALUES ($1, $2, $3, $4, $5::int[], 'draft', $6) RETURNING id`,
      [villageId, input.category, input.title, input.body ?? '', input.photoIds ?? [], user.username])
    return r.rows[0].id
  })
  return getDraft(db, id)
}

/** Edits a draft not yet submitted (or sent back), and optionally submits it for approval. */
export async function editDraft(db: Db, id: number, change: Partial<DraftInput> & { submit?: boolean }, user: AuthUser): Promise<NoticeDraft> {
  return db.transaction(async (tx) => {
    const d = await draftFor(tx, id, user, true)
    if (d.state !== 'draft' && d.state !== 'rejected') throw new HttpError(409, `notice draft ${id} is ${d.state}; only a draft or a rejected one may change`)
    await assertOwnPhotos(tx, change.photoIds, user)
    await tx.query(
      `UPDATE notice_drafts SET category = $2, title = $3, body = $4, photo_ids = $5::int[], state = $6, reason = CASE WHEN $6 = 'submitted' THEN NULL ELSE reason END WHERE id = $1`,
      [id, change.category ?? d.category, change.title ?? d.title, change.body ?? d.body, change.photoIds ?? d.photoIds, change.submit ? 'submitted' : d.state])
    return getDraft(tx, id)
  })
}

/** A leader's decision: published (a notice the wall lists at once), or sent back with a reason. */
export async function decide(db: Db, id: number, d: { approve: boolean; reason?: string }, user: AuthUser, now = new Date()): Promise<NoticeDraft> {
  if (!d.approve && !d.reason?.trim()) throw new HttpError(400, 'body/reason: say why the notice is sent back')
  return db.transaction(async (tx) => {
    const draft = await draftFor(tx, id, user, true)
    if (draft.state !== 'submitted') throw new HttpError(409, `notice draft ${id} is ${draft.state}; only a submitted one is decided`)
    let noticeId: number | null = null
    if (d.approve) {
      const n = await tx.query<{ id: number }>(
        `INSERT INTO notices (village_id, published_at, category, title, body, photo_ids) VALUES ($1, $2, $3, $4, $5, $6::int[]) RETURNING id`,
        [draft.villageId, now.toISOString(), draft.category, draft.title, draft.body, draft.photoIds])
      noticeId = n.rows[0].id
    }
    await tx.query(
      `UPDATE notice_drafts SET state = $2, decided_by = $3, decided_at = $4, reason = $5, notice_id = $6 WHERE id = $1`,
      [id, d.approve ? 'published' : 'rejected', user.username, now.toISOString(), d.approve ? null : d.reason!.trim(), noticeId])
    return getDraft(tx, id)
  })
}

export async function listDrafts(db: Queryable, user: AuthUser, state?: DraftState): Promise<NoticeDraft[]> {
  const village = ownVillage(user)
  const r = await db.query<{ draft: NoticeDraft }>(
    `SELECT ${DRAFT_JSON} AS draft FROM notice_drafts d JOIN villages v ON v.id = d.village_id
      WHERE ($1::int IS NULL OR d.village_id = $1) AND ($2::text IS NULL OR d.state = $2) AND ($3::int IS NULL OR v.town_id = $3)
      ORDER BY d.id DESC LIMIT 200`,
    [typeof village === 'number' ? village : null, state ?? null, ownTown(user)])
  return r.rows.map((x) => x.draft)
}

/** 党建: a village's 28日活动日 or 三会一课 attendance for a month (recorded again: replaced). */
export async function recordPartyActivity(
  db: Queryable, p: { villageId: number; month: string; kind: 'activityDay' | 'threeMeetings'; expected: number; attended: number }, user: AuthUser,
): Promise<typeof p> {
  await assertVillageInScope(db, user, p.villageId)
  if (p.attended > p.expected) throw new HttpError(400, 'body/attended cannot be more than expected')
  await db.query(
    `INSERT INTO party_activities (village_id, month, kind, expected, attended) VALUES ($1, $2::date, $3, $4, $5)
     ON CONFLICT (village_id, month, kind) DO UPDATE SET expected = excluded.expected, attended = excluded.attended`,
    [p.villageId, `${p.month}-01`, p.kind, p.expected, p.attended])
  return p
}

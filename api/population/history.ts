import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { maskIdNumber, maskName, maskPhone } from '../privacy/mask.ts'

export type ChangeKind =
  | 'registration' | 'update' | 'birth' | 'death' | 'moveIn' | 'moveOut' | 'moveHousehold'
  | 'householdCreate' | 'householdSplit' | 'householdMerge' | 'import'
  /** 列管 / 撤管: put on or taken off a key-group or care-group ledger (field keyGroups or careGroups) */
  | 'ledgerAdd' | 'ledgerRemove'

export interface Change {
  residentId?: number | null
  householdId?: number | null
  kind: ChangeKind
  field?: string | null
  before?: unknown
  after?: unknown
  eventDate?: string | null
  note?: string
  importId?: number | null
  /** the phone's key for this write, so a replay finds it */
  clientKey?: string | null
}

/** Writes change rows (full values: the database is where they are kept; reading masks them). */
export async function recordChanges(db: Queryable, actor: Pick<AuthUser, 'username' | 'role'>, changes: Change[], at = new Date()): Promise<void> {
  if (!changes.length) return
  await db.query(
    `INSERT INTO population_changes (resident_id, household_id, at, actor, actor_role, kind, field, before, after, event_date, note, import_id, client_key)
     SELECT c.resident_id, c.household_id, $2, $3, $4, c.kind, c.field, c.before, c.after, c.event_date, coalesce(c.note, ''), c.import_id, c.client_key
       FROM jsonb_to_recordset($1::jsonb) AS c(resident_id int, household_id int, kind text, field text, before jsonb, after jsonb, event_date date, note text, import_id int, client_key text)`,
    [JSON.stringify(changes.map((c) => ({
      resident_id: c.residentId ?? null, household_id: c.householdId ?? null, kind: c.kind, field: c.field ?? null,
      before: c.before === undefined ? null : c.before, after: c.after === undefined ? null : c.after,
      event_date: c.eventDate ?? null, note: c.note ?? '', import_id: c.importId ?? null, client_key: c.clientKey ?? null,
    }))), at.toISOString(), actor.username, actor.role],
  )
}

export interface HistoryEntry {
  id: number
  at: string
  actor: string
  actorRole: string
  kind: ChangeKind
  field: string | null
  before: unknown
  after: unknown
  eventDate: string | null
  note: string
}

/**
 * A value as a history reader may see it: identifiers masked as in a masked record, every
 * sensitive data item as *** whatever it was (a change from *** to *** still says that it
 * changed, and when, and by whom).
 */
export function maskValue(field: string | null, value: unknown, sensitive: ReadonlySet<string>): unknown {
  if (value === null || value === undefined) return value ?? null
  if (field === 'name') return maskName(String(value))
  if (field === 'idNumber') return maskIdNumber(String(value))
  if (field === 'phone') return maskPhone(String(value))
  if (field === 'birthDate') return '****-**-**'
  if (field?.startsWith('items.') && sensitive.has(field.slice(6))) return '***'
  // a key group is in no masked record: its history says that one changed, when and by whom
  if (field === 'keyGroups') return '***'
  if (field === null && typeof value === 'object') {
    // a whole record (a registration): each part masked by its own rule
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = k === 'items' && v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([ik, iv]) => [ik, maskValue(`items.${ik}`, iv, sensitive)]))
        : maskValue(k, v, sensitive)
    }
    return out
  }
  return value
}

/**
 * A history as its readers may see it (all masked: history has no unmasked reading). Values as
 * maskValue says; a birth's event date is the birth date, which the masked view replaces by an
 * age band, so it is withheld (null): the entry still says a birth was recorded, when and by whom.
 */
export async function residentHistory(db: Queryable, residentId: number, sensitive: ReadonlySet<string>): Promise<HistoryEntry[]> {
  const r = await db.query<HistoryEntry>(
    `SELECT id::int, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, actor_role AS "actorRole", kind, field,
            before, after, to_char(event_date, 'YYYY-MM-DD') AS "eventDate", note
       FROM population_changes WHERE resident_id = $1 ORDER BY id`,
    [residentId],
  )
  return r.rows.map((e) => ({
    ...e, eventDate: e.kind === 'birth' ? null : e.eventDate, before: maskValue(e.field, e.before, sensitive), after: maskValue(e.field, e.after, sensitive),
    // the reason for a key-group 列管 would name the group; it stays in the audit trail
    note: e.field === 'keyGroups' && e.note ? '***' : e.note,
  }))
}

import type { Queryable } from '../db/types.ts'
import { maskAddress, maskIdNumber, maskName, maskPhone } from '../privacy/mask.ts'

export interface ResidentRecord {
  id: number
  householdId: number
  gridId: number
  villageId: number
  name: string
  gender: string
  birthDate: string
  age: number
  idNumber: string
  phone: string
  relation: string
  partyMember: boolean
  careGroups: string[]
  /** present only on an unmasked, audited lookup */
  keyGroups?: string[]
  items: Record<string, unknown>
  masked: boolean
}

interface ResidentRow {
  id: number
  household_id: number
  grid_id: number
  village_id: number
  name: string
  gender: string
  birth_date: string
  id_number: string
  phone: string | null
  relation: string
  party_member: boolean
  items: Record<string, unknown>
  care: string[]
  key: string[]
}

const RESIDENT_SELECT = `
  SELECT r.id, r.household_id, h.grid_id, g.village_id, r.name, r.gender, r.birth_date, r.id_number, r.phone,
         r.relation, r.party_member, r.items,
         coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM resident_tags t WHERE t.resident_id = r.id AND t.kind = 'care'), '{}') AS care,
         coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM resident_tags t WHERE t.resident_id = r.id AND t.kind = 'key'), '{}') AS key
    FROM residents r JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = h.grid_id`

let sensitiveItems: Promise<Set<string>> | null = null
function sensitiveItemKeys(db: Queryable): Promise<Set<string>> {
  sensitiveItems ??= db
    .query<{ key: string }>('SELECT key FROM data_items WHERE sensitive')
    .then((r) => new Set(r.rows.map((x) => x.key)))
  sensitiveItems.catch(() => (sensitiveItems = null))
  return sensitiveItems
}

function ageOn(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number)
  let age = today.getUTCFullYear() - y
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age--
  return age
}

/** The default view: masked name, ID number, phone and birth date, no key-group tags, sensitive items withheld. */
function toRecord(r: ResidentRow, unmasked: boolean, sensitive: Set<string>): ResidentRecord {
  const base = {
    id: r.id, householdId: r.household_id, gridId: r.grid_id, villageId: r.village_id, gender: r.gender,
    age: ageOn(r.birth_date), relation: r.relation, partyMember: r.party_member, careGroups: r.care,
  }
  if (unmasked) {
    return { ...base, name: r.name, birthDate: r.birth_date, idNumber: r.id_number, phone: r.phone ?? '', keyGroups: r.key, items: r.items, masked: false }
  }
  const items: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r.items)) items[k] = sensitive.has(k) && v !== null && v !== false ? '***' : v
  return {
    ...base, name: maskName(r.name), birthDate: r.birth_date.slice(0, 4) + '-**-**', idNumber: maskIdNumber(r.id_number),
    phone: maskPhone(r.phone), items, masked: true,
  }
}

export async function getResident(db: Queryable, id: number, unmasked: boolean): Promise<ResidentRecord | null> {
  const r = await db.query<ResidentRow>(`${RESIDENT_SELECT} WHERE r.id = $1`, [id])
  return r.rows[0] ? toRecord(r.rows[0], unmasked, await sensitiveItemKeys(db)) : null
}

export interface HouseholdRecord {
  id: number
  gridId: number
  villageId: number
  address: string
  location: [number, number]
  members: ResidentRecord[]
}

/** 以户查人: a household with its members, always masked. */
export async function getHousehold(db: Queryable, id: number): Promise<HouseholdRecord | null> {
  const h = await db.query<{ id: number; grid_id: number; village_id: number; address: string; house_number: string; lon: number; lat: number }>(
    `SELECT h.id, h.grid_id, g.village_id, h.address, h.house_number, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
       FROM households h JOIN grids g ON g.id = h.grid_id WHERE h.id = $1`,
    [id],
  )
  const row = h.rows[0]
  if (!row) return null
  const members = await db.query<ResidentRow>(`${RESIDENT_SELECT} WHERE r.household_id = $1 ORDER BY r.id`, [id])
  const sensitive = await sensitiveItemKeys(db)
  return {
    id: row.id, gridId: row.grid_id, villageId: row.village_id, address: maskAddress(row.address, row.house_number),
    location: [row.lon, row.lat], members: members.rows.map((m) => toRecord(m, false, sensitive)),
  }
}

export interface AuditEntry {
  userId: number
  username: string
  role: string
  action: string
  residentId: number | null
  reason: string
  ip: string
  userAgent: string
}

export async function writeAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (user_id, username, role, action, resident_id, reason, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.userId, e.username, e.role, e.action, e.residentId, e.reason, e.ip, e.userAgent.slice(0, 300)],
  )
}

export async function listAudit(db: Queryable, f: { limit: number; offset: number; residentId?: number; username?: string }) {
  const r = await db.query<{
    id: number; at: Date; user_id: number; username: string; role: string; action: string; resident_id: number | null; reason: string; ip: string; user_agent: string
  }>(
    `SELECT id, at, user_id, username, role, action, resident_id, reason, ip, user_agent FROM audit_log
      WHERE ($3::int IS NULL OR resident_id = $3) AND ($4::text IS NULL OR username = $4)
      ORDER BY id DESC LIMIT $1 OFFSET $2`,
    [f.limit, f.offset, f.residentId ?? null, f.username ?? null],
  )
  return r.rows.map((a) => ({
    id: a.id, at: new Date(a.at).toISOString(), userId: a.user_id, username: a.username, role: a.role, action: a.action,
    residentId: a.resident_id, reason: a.reason, ip: a.ip, userAgent: a.user_agent,
  }))
}

import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { assertHouseholdInScope, assertResidentInScope, HOUSEHOLD_COLUMNS, scopeCondition } from '../access/scope.ts'
import { maskAddress, maskIdNumber } from '../privacy/mask.ts'
import { idNumberProblem } from '../../geo/id-number.ts'
import { IdentityProbe } from './identity-probes.ts'
import { beijingToday } from './dates.ts'
import { recordChanges, type Change } from './history.ts'
import { checkItems, ITEM_CARE_TAGS } from './items.ts'

export interface NewResident {
  householdId: number
  name: string
  /** missing only for a newborn before 户口 registration (待登记户口): added later by a patch */
  idNumber?: string
  gender: '男' | '女'
  birthDate: string
  relation: string
  phone?: string
  partyMember?: boolean
  items?: Record<string, unknown>
  /** why the person enters the register: born here, moved in, or just recorded (default) */
  event?: 'birth' | 'moveIn' | 'registration'
  eventDate?: string
  /** the phone's key: the same registration sent again (an answer lost) returns the first one */
  clientKey?: string
}

/** A write already made under this clientKey: the same user's is a replay, anyone else's a conflict. */
async function replayed(db: Queryable, clientKey: string | undefined, user: AuthUser): Promise<{ residentId: number } | null> {
  if (!clientKey) return null
  const r = await db.query<{ resident_id: number; actor: string }>('SELECT resident_id, actor FROM population_changes WHERE client_key = $1', [clientKey])
  if (!r.rows.length) return null
  if (r.rows[0].actor !== user.username) throw new HttpError(409, 'body/clientKey is already used by another change')
  return { residentId: r.rows[0].resident_id }
}

/**
 * An ID number already registered is an identity probe (see identity-probes.ts). Held by a
 * resident in the writer's scope, the answer names the household (masked) and gives its id as a
 * field (a phone's replay recognises its own registration by it); held anywhere else, it is only
 * "already registered".
 */
async function assertIdNumberFree(db: Queryable, user: AuthUser, idNumber: string, except?: number): Promise<void> {
  const params: unknown[] = [idNumber, except ?? null]
  // by the household, which keeps its village while it waits for a grid (待落图)
  const inScope = scopeCondition(user, HOUSEHOLD_COLUMNS, params)
  const r = await db.query<{ id: number; household_id: number; address: string; house_number: string; in_scope: boolean }>(
    `SELECT r.id, r.household_id, h.address, h.house_number, coalesce(${inScope}, false) AS in_scope
       FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.id_number = $1 AND ($2::int IS NULL OR r.id <> $2)`, params)
  const x = r.rows[0]
  if (x) throw idNumberTaken(idNumber, x.id, x.in_scope ? { householdId: x.household_id, address: maskAddress(x.address, x.house_number) } : null)
}

function idNumberTaken(idNumber: string, holder: number | null, here: { householdId: number; address: string } | null): IdentityProbe {
  const answer = here
    ? new HttpError(409, `body/idNumber belongs to a resident of household ${here.householdId} (${here.address})`, 'id_number_taken', { householdId: here.householdId })
    : new HttpError(409, 'body/idNumber is already registered', 'id_number_taken')
  return new IdentityProbe('idNumberProbe', answer, holder, `ID number ${maskIdNumber(idNumber)} is registered (${here ? "in the writer's scope" : "outside the writer's scope"})`)
}

/** The ID number against the birth date and sex given with it (all from the request: its words may name them). */
function checkIdentity(p: { idNumber?: string; birthDate: string; gender: '男' | '女'; event?: NewResident['event'] }): void {
  if (p.birthDate > beijingToday()) throw new HttpError(400, 'body/birthDate is in the future')
  if (p.idNumber === undefined) {
    // the one person known before her number exists: a newborn, whose 户口 comes weeks later
    if (p.event !== 'birth') throw new HttpError(400, 'body/idNumber is required (only a newborn, event birth, may wait for 户口 registration)')
    return
  }
  const problem = idNumberProblem(p.idNumber, p.birthDate, p.gender)
  if (problem) throw new HttpError(400, `body/idNumber ${problem.text}`)
}

/**
 * A correction's identity: what it gives, checked against what the record keeps. Where one side
 * is the record's birth date (masked: an age band only), the answer names neither date and is
 * an identity probe: otherwise "says born X, not <the birth date>" would tell the birth date.
 */
function checkPatchedIdentity(cur: { id: number; id_number: string | null; birth_date: string; gender: '男' | '女' }, patch: ResidentPatch): void {
  const next = { idNumber: patch.idNumber ?? cur.id_number, birthDate: patch.birthDate ?? cur.birth_date, gender: patch.gender ?? cur.gender }
  if (next.birthDate > beijingToday()) throw new HttpError(400, 'body/birthDate is in the future')
  // a newborn waiting for her number (待登记户口): nothing to compare yet
  if (next.idNumber === null) return
  const problem = idNumberProblem(next.idNumber, next.birthDate, next.gender)
  if (!problem) return
  if (problem.kind === 'birthDateMismatch' && (patch.idNumber === undefined || patch.birthDate === undefined)) {
    const message = patch.birthDate === undefined
      ? `body/idNumber says born ${problem.born}, which is not the resident's birth date (give birthDate with it to correct both)`
      : "body/birthDate is not the birth date the resident's ID number holds (give idNumber with it to correct both)"
    throw new IdentityProbe('birthDateProbe', new HttpError(400, message), cur.id, `PATCH resident ${cur.id}: ${patch.birthDate === undefined ? 'idNumber' : 'birthDate'} does not fit the birth date`)
  }
  // the record's own ID number is named only by what the masked view shows of it
  const field = patch.idNumber !== undefined ? 'idNumber' : patch.birthDate !== undefined ? 'birthDate' : 'gender'
  throw new HttpError(400, patch.idNumber !== undefined ? `body/idNumber ${problem.text}` : `body/${field} does not fit the resident's ID number (${problem.kind})`)
}

/** The care tags a resident's items imply, set in the database (added and removed). */
async function syncItemTags(db: Queryable, residentId: number, items: Record<string, unknown>): Promise<void> {
  for (const [key, rule] of Object.entries(ITEM_CARE_TAGS)) {
    if (!(key in items)) continue
    if (rule.applies(items[key])) {
      await db.query(`INSERT INTO resident_tags (resident_id, kind, tag) VALUES ($1, 'care', $2) ON CONFLICT DO NOTHING`, [residentId, rule.tag])
    } else {
      await db.query(`DELETE FROM resident_tags WHERE resident_id = $1 AND kind = 'care' AND tag = $2`, [residentId, rule.tag])
    }
  }
}

/** A person enters the register (a newborn, someone moving in, a correction of the ledger). */
export async function createResident(db: Db, p: NewResident, user: AuthUser): Promise<{ id: number; created: boolean }> {
  const again = await replayed(db, p.clientKey, user)
  if (again) return { id: again.residentId, created: false }
  await assertHouseholdInScope(db, user, p.householdId)
  checkIdentity(p)
  const items = checkItems(p.items ?? {})
  const event = p.event ?? 'registration'
  const eventDate = p.eventDate ?? (event === 'birth' ? p.birthDate : beijingToday())
  if (eventDate > beijingToday() || eventDate < p.birthDate) throw new HttpError(400, 'body/eventDate must be between the birth date and today')
  return db.transaction(async (tx) => {
    if (p.idNumber !== undefined) await assertIdNumberFree(tx, user, p.idNumber)
    const r = await tx.query<{ id: number }>(
      `INSERT INTO residents (household_id, name, gender, birth_date, id_number, phone, relation, party_member, items)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING id`,
      [p.householdId, p.name, p.gender, p.birthDate, p.idNumber ?? null, p.phone || null, p.relation, p.partyMember ?? false, JSON.stringify(items)],
    ).catch((err: { code?: string }) => {
      // registered meanwhile by a parallel write
      if (err.code === '23505') throw idNumberTaken(p.idNumber ?? '', null, null)
      throw err
    })
    const id = r.rows[0].id
    await syncItemTags(tx, id, items)
    await recordChanges(tx, user, [{
      residentId: id, householdId: p.householdId, kind: event, eventDate, clientKey: p.clientKey,
      after: { name: p.name, idNumber: p.idNumber ?? null, gender: p.gender, birthDate: p.birthDate, relation: p.relation, phone: p.phone ?? null, items },
    }])
    return { id, created: true }
  })
}

interface ResidentRow {
  id: number
  household_id: number
  name: string
  gender: '男' | '女'
  birth_date: string
  /** null while a newborn waits for 户口 registration */
  id_number: string | null
  phone: string | null
  relation: string
  party_member: boolean
  items: Record<string, unknown>
  deregistered: 'death' | 'moveOut' | null
}

async function residentForWrite(tx: Queryable, id: number, user: AuthUser): Promise<ResidentRow> {
  await assertResidentInScope(tx, user, id)
  const r = await tx.query<ResidentRow>(
    `SELECT id, household_id, name, gender, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, id_number, phone, relation, party_member, items, deregistered
       FROM residents WHERE id = $1 FOR UPDATE`, [id])
  if (!r.rows.length) throw notFound(`resident ${id}`)
  return r.rows[0]
}

export interface ResidentPatch {
  name?: string
  idNumber?: string
  gender?: '男' | '女'
  birthDate?: string
  relation?: string
  phone?: string | null
  partyMember?: boolean
  /** only the items named change; null clears one */
  items?: Record<string, unknown>
}

const COLUMNS: Record<Exclude<keyof ResidentPatch, 'items'>, keyof ResidentRow> = {
  name: 'name', idNumber: 'id_number', gender: 'gender', birthDate: 'birth_date', relation: 'relation', phone: 'phone', partyMember: 'party_member',
}

/** A correction or an update; every changed field is a history row (before → after). */
export async function patchResident(db: Db, id: number, patch: ResidentPatch, user: AuthUser): Promise<{ id: number; changed: number }> {
  const items = patch.items ? checkItems(patch.items) : undefined
  return db.transaction(async (tx) => {
    const cur = await residentForWrite(tx, id, user)
    if (patch.idNumber !== undefined || patch.birthDate !== undefined || patch.gender !== undefined) {
      checkPatchedIdentity(cur, patch)
      if (patch.idNumber !== undefined && patch.idNumber !== cur.id_number) await assertIdNumberFree(tx, user, patch.idNumber, id)
    }
    const next = { idNumber: patch.idNumber ?? cur.id_number, birthDate: patch.birthDate ?? cur.birth_date, gender: patch.gender ?? cur.gender }
    const changes: Change[] = []
    for (const [field, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, keyof ResidentRow][]) {
      const value = patch[field]
      if (value === undefined) continue
      const before = cur[column] ?? null
      const after = field === 'phone' ? value || null : value
      if (before !== after) changes.push({ residentId: id, householdId: cur.household_id, kind: 'update', field, before, after })
    }
    const mergedItems = { ...cur.items }
    for (const [k, v] of Object.entries(items ?? {})) {
      const before = cur.items[k] ?? null
      if (before !== v) changes.push({ residentId: id, householdId: cur.household_id, kind: 'update', field: `items.${k}`, before, after: v })
      mergedItems[k] = v
    }
    if (!changes.length) return { id, changed: 0 }
    await tx.query(
      `UPDATE residents SET name = $2, id_number = $3, gender = $4, birth_date = $5, relation = $6, phone = $7, party_member = $8, items = $9::jsonb WHERE id = $1`,
      [id, patch.name ?? cur.name, next.idNumber, next.gender, next.birthDate, patch.relation ?? cur.relation,
        patch.phone === undefined ? cur.phone : patch.phone || null, patch.partyMember ?? cur.party_member, JSON.stringify(mergedItems)],
    ).catch((err: { code?: string }) => {
      if (err.code === '23505') throw idNumberTaken(next.idNumber ?? '', null, null)
      throw err
    })
    if (items) await syncItemTags(tx, id, items)
    await recordChanges(tx, user, changes)
    return { id, changed: changes.length }
  })
}

const birthDateProbe = (id: number, type: LifeEventType, message: string) =>
  new IdentityProbe('birthDateProbe', new HttpError(400, message), id, `POST resident ${id} event ${type}: the date does not fit the birth date`)

export type LifeEventType = 'birth' | 'death' | 'moveIn' | 'moveOut' | 'moveHousehold'

/**
 * A life event. Death and moving away deregister the person (they leave the counts and stay in
 * history); moving in brings back someone who had moved away; moving household takes a person
 * to another household in the user's scope.
 */
export async function lifeEvent(
  db: Db, id: number, e: { type: LifeEventType; date: string; householdId?: number; note?: string; clientKey?: string }, user: AuthUser,
): Promise<{ id: number }> {
  const again = await replayed(db, e.clientKey, user)
  if (again?.residentId === id) return { id }
  if (again) throw new HttpError(409, 'body/clientKey is already used by another change')
  if (e.date > beijingToday()) throw new HttpError(400, 'body/date is in the future')
  return db.transaction(async (tx) => {
    const cur = await residentForWrite(tx, id, user)
    const change: Change = { residentId: id, householdId: cur.household_id, kind: e.type, eventDate: e.date, note: e.note ?? '', clientKey: e.clientKey }
    switch (e.type) {
      case 'death':
      case 'moveOut':
        if (cur.deregistered) throw new HttpError(409, `resident ${id} is already deregistered (${cur.deregistered})`)
        await tx.query('UPDATE residents SET deregistered = $2, deregistered_on = $3 WHERE id = $1', [id, e.type, e.date])
        break
      case 'moveIn': {
        if (cur.deregistered !== 'moveOut') throw new HttpError(409, `resident ${id} ${cur.deregistered === 'death' ? 'has died' : 'is registered here already'}`)
        const to = e.householdId ?? cur.household_id
        if (e.householdId !== undefined) await assertHouseholdInScope(tx, user, to)
        await tx.query('UPDATE residents SET deregistered = NULL, deregistered_on = NULL, household_id = $2 WHERE id = $1', [id, to])
        Object.assign(change, { householdId: to, field: 'householdId', before: cur.household_id, after: to })
        break
      }
      case 'moveHousehold': {
        if (cur.deregistered) throw new HttpError(409, `resident ${id} is deregistered (${cur.deregistered})`)
        if (e.householdId === undefined) throw new HttpError(400, 'body/householdId is required to move household')
        if (e.householdId === cur.household_id) throw new HttpError(400, 'body/householdId is the household the resident is in')
        await assertHouseholdInScope(tx, user, e.householdId)
        await tx.query('UPDATE residents SET household_id = $2 WHERE id = $1', [id, e.householdId])
        Object.assign(change, { householdId: e.householdId, field: 'householdId', before: cur.household_id, after: e.householdId })
        break
      }
      case 'birth': {
        const had = await tx.query(`SELECT 1 FROM population_changes WHERE resident_id = $1 AND kind = 'birth'`, [id])
        if (had.rows.length) throw new HttpError(409, `resident ${id} has a birth recorded already`)
        if (e.date !== cur.birth_date) throw birthDateProbe(id, e.type, "body/date must be the resident's birth date")
        break
      }
    }
    // the hidden birth date is compared last, once the write is otherwise right (a refusal for
    // anything else must not depend on it); its writes above roll back with the refusal
    if (e.date < cur.birth_date) throw birthDateProbe(id, e.type, "body/date is before the resident's birth date")
    await recordChanges(tx, user, [change])
    return { id }
  })
}

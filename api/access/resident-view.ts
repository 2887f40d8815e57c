import type { AuthUser } from '../auth/roles.ts'
import type { ResidentRecord, ResidentView } from '../../geo/people.ts'
import { ageBand, maskIdNumber, maskName, maskPhone } from '../privacy/mask.ts'
import { can } from './policy.ts'

/** A resident as the database holds it, with her tags. */
export interface ResidentSource {
  id: number
  householdId: number
  gridId: number | null
  villageId: number
  name: string
  gender: string
  birthDate: string
  /** null while a newborn waits for 户口 registration (待登记户口) */
  idNumber: string | null
  phone: string | null
  relation: string
  partyMember: boolean
  items: Record<string, unknown>
  careGroups: string[]
  keyGroups: string[]
  deregistered: 'death' | 'moveOut' | null
  deregisteredOn: string | null
}

/**
 * Masking by purpose, not by value: what a record contains depends on who asks and why, never
 * on what the data says (a "***" shown only where a sensitive item is true reads as "yes").
 * - card (the wall's display role): who lives in the household, nothing that identifies or
 *   describes them further: no ID number, phone, birth date, data items or group tags.
 * - masked (staff): partial ID number and phone, an age band, every sensitive data item as
 *   *** whatever its value; care-group tags only for the roles that look after them.
 * - full: an authorised lookup with a reason, audited by the caller.
 */
export function residentViewFor(user: AuthUser, unmasked: boolean): ResidentView {
  if (unmasked) return 'full'
  return can(user, 'people.details') ? 'masked' : 'card'
}

/** Whole years on `today` (UTC calendar). */
export function ageOn(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number)
  let age = today.getUTCFullYear() - y
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) age--
  return age
}

export interface ShapeOptions {
  view: ResidentView
  user: AuthUser
  /** data-item keys that are sensitive (data_items.sensitive) */
  sensitive: ReadonlySet<string>
  today?: Date
}

export function shapeResident(r: ResidentSource, o: ShapeOptions): ResidentRecord {
  const age = ageOn(r.birthDate, o.today)
  const base = {
    id: r.id, householdId: r.householdId, gridId: r.gridId, villageId: r.villageId, view: o.view,
    gender: r.gender, relation: r.relation, partyMember: r.partyMember, ageBand: ageBand(age),
    status: r.deregistered ?? ('active' as const), ...(r.deregisteredOn ? { statusSince: r.deregisteredOn } : {}),
  }
  // a newborn without her number yet: said as such to staff (a todo: 待补身份证号), never to a wall's card
  const id = r.idNumber === null ? { idPending: true } : null
  if (o.view === 'full') {
    return {
      ...base, name: r.name, age, birthDate: r.birthDate, ...(id ?? { idNumber: r.idNumber! }), phone: r.phone ?? '', items: r.items,
      careGroups: r.careGroups, keyGroups: r.keyGroups, masked: false,
    }
  }
  if (o.view === 'card') return { ...base, name: maskName(r.name), masked: true }
  const items: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(r.items)) if (!o.sensitive.has(k)) items[k] = v
  for (const k of o.sensitive) if (!COLUMN_ITEMS.has(k)) items[k] = '***'
  return {
    ...base, name: maskName(r.name), ...(id ?? { idNumber: maskIdNumber(r.idNumber!) }), phone: maskPhone(r.phone), items,
    ...(can(o.user, 'people.careGroups') ? { careGroups: r.careGroups } : {}),
    masked: true,
  }
}

/** Data items kept as columns of residents (masked above by their own rules), not in `items`. */
const COLUMN_ITEMS = new Set(['name', 'gender', 'birthDate', 'idNumber', 'phone', 'relation', 'partyMember'])

// Resident and household records as the API sends them. What a record holds depends on who
// asks (see api/access/resident-view.ts and README "Accounts, roles and personal data"):
// a wall's card has no identifiers and no sensitive data at all; a masked record hides
// identifiers partly and every sensitive data item whatever its value; a full record is
// given only on an authorised, audited lookup.

export type ResidentView = 'card' | 'masked' | 'full'

export interface ResidentRecord {
  id: number
  householdId: number
  /** null while the household waits for its grid (待落图) */
  gridId: number | null
  villageId: number
  view: ResidentView
  /** 张*三 unless full */
  name: string
  gender: string
  relation: string
  partyMember: boolean
  /** ten-year band ("30–39岁"): an exact age next to a partial ID number would give the birthday away */
  ageBand: string
  /** full only */
  age?: number
  /** full only */
  birthDate?: string
  /** masked: first 6 and last 2 characters; full: all; card: absent */
  idNumber?: string
  /** a newborn whose ID number is not registered yet (待登记户口): no idNumber; staff views only */
  idPending?: boolean
  /** masked: 138****1234; card: absent */
  phone?: string
  /** masked: every sensitive item as *** whatever its value; card: absent */
  items?: Record<string, unknown>
  /** care groups (特殊人群), for the roles that look after them */
  careGroups?: string[]
  /** key groups (重点人群): full only */
  keyGroups?: string[]
  /** registered, or deregistered (died, moved away): such a person leaves the counts and stays in history */
  status: 'active' | 'death' | 'moveOut'
  statusSince?: string
  /** true unless full */
  masked: boolean
}

export interface HouseholdRecord {
  id: number
  /** null while it waits for its grid (待落图) */
  gridId: number | null
  villageId: number
  /** the 户号 from 公安's register (households imported from it), else null */
  code: string | null
  /** the house number withheld */
  address: string
  /** null while it waits to be placed (待落图) */
  location: [number, number] | null
  members: ResidentRecord[]
}

export const ROLES = ['admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display', 'device'] as const
export type Role = (typeof ROLES)[number]

export interface AuthUser {
  id: number
  username: string
  displayName: string
  role: Role
  villageId: number | null
  gridId: number | null
}

/** Roles that read the town's data at all (the device role only ingests positions). */
export const READ_ROLES: readonly Role[] = ['admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display']
/** Roles that see every village's people data; the scoped roles see their own village or grid. */
export const TOWN_WIDE_ROLES: readonly Role[] = ['admin', 'leader', 'dispatcher', 'display']
/** Roles that may unmask a resident (always with a reason, always audited), within their scope. */
export const UNMASK_ROLES: readonly Role[] = ['admin', 'leader', 'villageCadre', 'gridWorker']

/** Session length: wall displays stay signed in for a year, people for a working day. */
export function sessionHours(role: Role): number {
  if (role === 'display') return 24 * 365
  if (role === 'device') return 24 * 30
  return 12
}

import type { UserScope } from '../access/scope.ts'

export const ROLES = ['admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display', 'device', 'department'] as const
export type Role = (typeof ROLES)[number]

export interface AuthUser {
  id: number
  username: string
  displayName: string
  role: Role
  /** a village cadre's village; a grid worker's grid's village (resolved at sign-in) */
  villageId: number | null
  gridId: number | null
  /** a county department's account (部门报到): the department it answers for */
  departmentId: number | null
  /** what the user's data rights reach, resolved once when the session is looked up */
  scope: UserScope
}

/** Session length: wall displays stay signed in for a year, people for a working day. */
export function sessionHours(role: Role): number {
  if (role === 'display') return 24 * 365
  if (role === 'device') return 24 * 30
  return 12
}

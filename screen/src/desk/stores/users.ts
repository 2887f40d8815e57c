import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import { getJson, patchJson, postJson } from '../../shared/api.ts'

export interface Account {
  id: number
  username: string
  displayName: string
  role: string
  villageId: number | null
  gridId: number | null
  /** the grid as people know it (村 第N网格) */
  gridName?: string | null
  departmentId: number | null
  /** a town's leader, dispatcher or display; null: the county's (or, on a one-town system, the town's) */
  townId: number | null
  disabled: boolean
  /** sign-ins are held back (too many wrong passwords at some address); the admin may lift it */
  locked: boolean
  lastLoginAt: string | null
  createdAt: string
}
export interface AccountInput {
  username?: string
  displayName: string
  role: string
  villageId: number | null
  gridId: number | null
  departmentId: number | null
  townId: number | null
  password?: string
}

/** the roles that work at a town's command center or, without a town, at the county's */
export const TOWN_ROLES: readonly string[] = ['leader', 'dispatcher', 'display']

export const ROLE_CHOICES = ['admin', 'leader', 'dispatcher', 'villageCadre', 'gridWorker', 'department', 'display', 'device'] as const
const PAGE = 50

/** which scope field a role needs: a cadre her village, a grid worker her grid, a department its id */
export function scopeField(role: string): 'villageId' | 'gridId' | 'departmentId' | null {
  return role === 'villageCadre' ? 'villageId' : role === 'gridWorker' ? 'gridId' : role === 'department' ? 'departmentId' : null
}

/** Accounts for the admin: the server keeps the rules (scope per role, no self-demotion). */
export const useUserStore = defineStore('deskUsers', () => {
  const users = shallowRef<Account[]>([])
  const total = ref(0)
  const filter = reactive({ role: '', q: '' })
  const offset = ref(0)
  const loading = ref(false)

  async function load(at = 0): Promise<void> {
    loading.value = true
    try {
      const p = new URLSearchParams({ limit: String(PAGE), offset: String(at) })
      if (filter.role) p.set('role', filter.role)
      if (filter.q.trim()) p.set('q', filter.q.trim())
      const r = await getJson<{ users: Account[]; total: number }>(`/api/users?${p}`)
      users.value = r.users
      total.value = r.total
      offset.value = at
    } finally {
      loading.value = false
    }
  }

  /** only the scope field the role needs is sent; the others are cleared */
  function scoped(input: AccountInput) {
    const f = scopeField(input.role)
    return {
      villageId: f === 'villageId' ? input.villageId : null, gridId: f === 'gridId' ? input.gridId : null, departmentId: f === 'departmentId' ? input.departmentId : null,
      townId: TOWN_ROLES.includes(input.role) ? input.townId : null,
    }
  }

  /**
   * Makes the account and shows it: the list is read again and, when the new account is not on
   * the page the filters and paging show, it is put at the head of the page (the admin sees what
   * she made, marked 新建, without losing her place).
   */
  async function create(input: AccountInput): Promise<Account> {
    const made = await postJson<Account>('/api/users', { username: input.username, displayName: input.displayName, role: input.role, password: input.password, ...scoped(input) })
    await load(offset.value)
    if (!users.value.some((u) => u.id === made.id)) users.value = [made, ...users.value]
    return made
  }
  async function update(id: number, input: AccountInput): Promise<void> {
    await patchJson(`/api/users/${id}`, { displayName: input.displayName, role: input.role, ...scoped(input) })
    await load(offset.value)
  }
  async function setDisabled(id: number, disabled: boolean): Promise<void> {
    await patchJson(`/api/users/${id}`, { disabled })
    await load(offset.value)
  }
  /** a new password: the admin's, or one the server makes and shows once */
  async function resetPassword(id: number, password?: string): Promise<string | undefined> {
    const r = await postJson<{ password?: string }>(`/api/users/${id}/password`, password ? { password } : {})
    await load(offset.value)
    return r.password
  }

  /** lifts the sign-in throttle at every address (audited on the server) */
  async function unlock(id: number): Promise<void> {
    await postJson(`/api/users/${id}/unlock`)
    await load(offset.value)
  }

  return { users, total, filter, offset, loading, page: PAGE, load, create, update, setDisabled, resetPassword, unlock }
})

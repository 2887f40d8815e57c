import { shallowRef } from 'vue'
import type { WorkOrder } from '../../../../geo/work-orders.ts'
import { ApiError, getJson } from '../../shared/api.ts'

/**
 * The orders of her scope (我的工单: a grid worker's grid; 本村工单, 本部门工单: what a cadre's
 * village or a department may see) and what waits for her to handle (待我办理: GET
 * /api/work-orders?tab=toHandle). Offline, the lists stay as last loaded, and so does each
 * opened order, so she can still write up a handling in the field.
 */
export function useOrders() {
  const mine = shallowRef<WorkOrder[]>([])
  const todo = shallowRef<WorkOrder[]>([])
  const details = new Map<number, WorkOrder>()

  /** `filter`: the list's own (grid=ID for a grid worker's grid; none: the account's scope) */
  async function refresh(filter = ''): Promise<void> {
    const [m, t] = await Promise.all([
      getJson<WorkOrder[]>(`/api/work-orders?limit=50${filter ? `&${filter}` : ''}`).catch(() => null),
      getJson<WorkOrder[]>('/api/work-orders?tab=toHandle&limit=50').catch(() => null),
    ])
    if (m) mine.value = m
    if (t) todo.value = t
  }

  /**
   * One order with its history and `actions` (what this user may do now). Offline: the copy last
   * seen, or null (the form still opens; the server checks the step when it arrives). A refusal
   * (403, 404) is thrown: that order is not hers to see.
   */
  async function detail(id: number): Promise<WorkOrder | null> {
    try {
      const o = await getJson<WorkOrder>(`/api/work-orders/${id}`)
      details.set(id, o)
      return o
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) return details.get(id) ?? null
      throw err
    }
  }
  return { mine, todo, refresh, detail }
}

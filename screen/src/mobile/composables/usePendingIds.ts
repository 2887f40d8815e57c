import { shallowRef } from 'vue'
import type { ResidentRecord } from '../../../../geo/people.ts'
import { getJson, patchJson } from '../../shared/api.ts'

/**
 * 待补身份证号: the newborns of her scope registered before their 户口 (GET
 * /api/residents/pending-id), and completing one (PATCH /api/residents/:id { idNumber }). Sent
 * at once, not through the outbox: whether the number is free and fits her birth date only the
 * server knows, and she must see a refusal while she still has the 户口本 in hand.
 */
export function usePendingIds() {
  const items = shallowRef<ResidentRecord[]>([])
  async function refresh(): Promise<void> {
    const r = await getJson<{ items: ResidentRecord[] }>('/api/residents/pending-id').catch(() => null)
    if (r) items.value = r.items
  }
  async function complete(residentId: number, idNumber: string): Promise<void> {
    await patchJson(`/api/residents/${residentId}`, { idNumber })
    items.value = items.value.filter((r) => r.id !== residentId)
  }
  return { items, refresh, complete }
}

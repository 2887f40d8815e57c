import { shallowRef } from 'vue'
import type { Dispute, DisputeList } from '../../../../geo/disputes.ts'
import { getJson } from '../../shared/api.ts'

/** Her grid's disputes (GET /api/disputes?grid=), or a cadre's village's (village=), newest first; offline, the list stays as last loaded. */
export function useDisputes() {
  const items = shallowRef<Dispute[]>([])
  async function refresh(filter: string): Promise<void> {
    const list = await getJson<DisputeList>(`/api/disputes?${filter}&limit=20`).catch(() => null)
    if (list) items.value = list.items
  }
  return { items, refresh }
}

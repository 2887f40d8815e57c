import { shallowRef } from 'vue'
import type { Dispute, DisputeList } from '../../../../geo/disputes.ts'
import { getJson } from '../../shared/api.ts'

/** Her grid's disputes, newest first (GET /api/disputes?grid=); offline, the list stays as last loaded. */
export function useDisputes() {
  const items = shallowRef<Dispute[]>([])
  async function refresh(gridId: number | null | undefined): Promise<void> {
    if (!gridId) return
    const list = await getJson<DisputeList>(`/api/disputes?grid=${gridId}&limit=20`).catch(() => null)
    if (list) items.value = list.items
  }
  return { items, refresh }
}

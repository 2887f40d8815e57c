import { computed, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'
import type { RosterHousehold } from '../words.ts'

/**
 * 户册: her grid's households by house number and head of household (GET
 * /api/households/roster, a grid worker's own grid only). Kept in memory for the session, never
 * in the phone's storage; offline at sign-in the lists fall back to the masked addresses.
 */
export function useRoster() {
  const items = shallowRef<RosterHousehold[]>([])
  const byId = computed(() => new Map(items.value.map((h) => [h.id, h])))
  async function load(gridId: number | null | undefined): Promise<void> {
    if (!gridId) return
    const r = await getJson<{ items: RosterHousehold[] }>(`/api/households/roster?grid=${gridId}`).catch(() => null)
    if (r) items.value = r.items
  }
  return { items, byId, load }
}

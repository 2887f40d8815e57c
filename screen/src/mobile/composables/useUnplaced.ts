import { ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'

export interface UnplacedHousehold {
  id: number
  code: string | null
  /** the house number withheld */
  address: string
  villageId: number
  villageName: string
  gridId: number | null
  gridName: string | null
  residents: number
}

/**
 * 待落图 on her phone: the households of her grid, and of her village without a grid yet, that
 * came from 公安's list without coordinates. Offline, the last list stays.
 */
export function useUnplaced() {
  const items = shallowRef<UnplacedHousehold[]>([])
  const total = ref(0)
  async function refresh(): Promise<void> {
    const page = await getJson<{ total: number; items: UnplacedHousehold[] }>('/api/households?unplaced=1&limit=200').catch(() => null)
    if (!page) return
    items.value = page.items
    total.value = page.total
  }
  return { items, total, refresh }
}

import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson, putJson } from '../../shared/api.ts'

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

export interface Placed {
  id: number
  gridId: number
  villageId: number
  location: [number, number]
  changed: boolean
}

const PAGE = 50

/**
 * 待落图: the households of the user's scope waiting for their point (GET /api/households?unplaced=1),
 * a page at a time, narrowed by village and by 户号 or address; placing one (PUT …/location)
 * takes it off the list.
 */
export const useUnplacedStore = defineStore('deskUnplaced', () => {
  const items = shallowRef<UnplacedHousehold[]>([])
  const total = ref(0)
  const villageId = ref<number | null>(null)
  const q = ref('')
  const loading = ref(false)

  const query = (offset: number) => {
    const p = new URLSearchParams({ unplaced: '1', limit: String(PAGE), offset: String(offset) })
    if (villageId.value) p.set('village', String(villageId.value))
    if (q.value.trim()) p.set('q', q.value.trim().slice(0, 40))
    return `/api/households?${p}`
  }
  async function load(): Promise<void> {
    loading.value = true
    try {
      const page = await getJson<{ total: number; items: UnplacedHousehold[] }>(query(0))
      items.value = page.items
      total.value = page.total
    } finally {
      loading.value = false
    }
  }
  async function more(): Promise<void> {
    const page = await getJson<{ total: number; items: UnplacedHousehold[] }>(query(items.value.length))
    const have = new Set(items.value.map((h) => h.id))
    items.value = [...items.value, ...page.items.filter((h) => !have.has(h.id))]
    total.value = page.total
  }
  async function place(id: number, lonLat: [number, number]): Promise<Placed> {
    const placed = await putJson<Placed>(`/api/households/${id}/location`, { lon: lonLat[0], lat: lonLat[1] })
    items.value = items.value.filter((h) => h.id !== id)
    total.value = Math.max(0, total.value - 1)
    return placed
  }
  return { items, total, villageId, q, loading, load, more, place }
})

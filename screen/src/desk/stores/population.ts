import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { FeatureCollection, Point } from 'geojson'
import type { HouseholdProps, SearchHit } from '../../../../geo/types.ts'
import type { HouseholdRecord } from '../../../../geo/people.ts'
import { getJson, postJson, patchJson } from '../../shared/api.ts'

export type HouseholdFeature = FeatureCollection<Point, HouseholdProps>['features'][number]

export interface NewResident {
  householdId: number
  name: string
  /** none for a newborn before her 户口 (待登记户口) */
  idNumber?: string
  gender: '男' | '女'
  birthDate: string
  relation: string
  phone?: string
  partyMember?: boolean
  items?: Record<string, unknown>
  event?: 'birth' | 'moveIn' | 'registration'
  eventDate?: string
}
export type ResidentPatch = Partial<Omit<NewResident, 'householdId' | 'event' | 'eventDate' | 'phone'>> & { phone?: string | null }

export interface LifeEvent {
  type: 'birth' | 'death' | 'moveIn' | 'moveOut' | 'moveHousehold'
  date: string
  householdId?: number
  note?: string
}

export interface HistoryEntry {
  id: number
  at: string
  actor: string
  actorRole: string
  kind: string
  field: string | null
  before: unknown
  after: unknown
  eventDate: string | null
  note: string
}

/**
 * 人口双实: the household being kept current, how it was found (a search, or a grid's list of
 * households), and every write the desk makes to the register. After a write the household is
 * read again, so what the desk shows is what the server now holds (masked as always).
 */
export const usePopulationStore = defineStore('deskPopulation', () => {
  const hits = shallowRef<SearchHit[]>([])
  const searched = ref(false)
  const gridId = ref<number | null>(null)
  const gridHouseholds = shallowRef<HouseholdFeature[]>([])
  const household = shallowRef<HouseholdRecord | null>(null)
  const loading = ref(false)

  async function search(q: string): Promise<void> {
    const r = await getJson<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent(q.slice(0, 40))}&limit=30`)
    hits.value = r.hits.filter((h) => h.householdId !== null && (h.kind === 'household' || h.kind === 'resident'))
    searched.value = true
  }

  /** a grid's households (points, masked addresses, member counts) */
  const householdsOf = async (grid: number): Promise<HouseholdFeature[]> =>
    (await getJson<FeatureCollection<Point, HouseholdProps>>(`/api/households?grid=${grid}`)).features

  async function browse(grid: number | null): Promise<void> {
    gridId.value = grid
    gridHouseholds.value = []
    if (!grid) return
    const list = await householdsOf(grid)
    if (gridId.value === grid) gridHouseholds.value = list
  }

  async function open(id: number): Promise<void> {
    loading.value = true
    try {
      household.value = await getJson<HouseholdRecord>(`/api/households/${id}`)
    } finally {
      loading.value = false
    }
  }
  /** the household again, and its grid's list (member counts move with every change) */
  async function refresh(): Promise<void> {
    if (household.value) await open(household.value.id)
    if (gridId.value) await browse(gridId.value)
  }

  async function register(r: NewResident): Promise<number> {
    const { id } = await postJson<{ id: number }>('/api/residents', r)
    await refresh()
    return id
  }
  async function update(id: number, patch: ResidentPatch): Promise<number> {
    const { changed } = await patchJson<{ id: number; changed: number }>(`/api/residents/${id}`, patch)
    await refresh()
    return changed
  }
  async function event(id: number, e: LifeEvent): Promise<void> {
    await postJson(`/api/residents/${id}/events`, e)
    await refresh()
  }
  const history = async (id: number): Promise<HistoryEntry[]> => (await getJson<{ entries: HistoryEntry[] }>(`/api/residents/${id}/history`)).entries

  async function createHousehold(h: { lon: number; lat: number; address: string; houseNumber: string }): Promise<{ id: number; gridId: number }> {
    const made = await postJson<{ id: number; gridId: number }>('/api/households', h)
    await browse(made.gridId)
    await open(made.id)
    return made
  }
  async function split(id: number, s: { residentIds: number[]; address: string; houseNumber: string; lon?: number; lat?: number }): Promise<{ id: number; gridId: number }> {
    const made = await postJson<{ id: number; gridId: number }>(`/api/households/${id}/split`, s)
    await refresh()
    return made
  }
  async function merge(id: number, fromHouseholdId: number): Promise<number> {
    const { moved } = await postJson<{ id: number; moved: number }>(`/api/households/${id}/merge`, { fromHouseholdId })
    await refresh()
    return moved
  }

  function clear(): void {
    hits.value = []
    searched.value = false
    household.value = null
  }

  return {
    hits, searched, gridId, gridHouseholds, household, loading,
    search, householdsOf, browse, open, refresh, register, update, event, history, createHousehold, split, merge, clear,
  }
})

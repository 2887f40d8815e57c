import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { VehicleSummary } from '../../../../geo/vehicles.ts'
import { getJson, patchJson, postJson, putJson } from '../../shared/api.ts'
import type { Tour } from '../../wall/lib/tour.ts'

export type { Tour, TourStep, TourSchedule } from '../../wall/lib/tour.ts'

/** a wall as it last reported itself (GET /api/displays) */
export interface Display {
  displayId: string
  username: string
  firstSeen: string
  lastSeen: string
  online: boolean
  /** on an older build than the server's: it reloads itself at its next quiet moment */
  stale: boolean
  scope: string
  tour: string | null
  version: string
  width: number
  height: number
  fps: number | null
  heapMb: number | null
  domNodes: number | null
  heapSeries: number[]
  heapTrendMbPerHour: number | null
  reloads: number
  /** the name the admin gave it; null until named */
  name: string | null
  /** the tour the admin assigned to it (a ?tour= in its address wins) */
  tourId: number | null
  tourName: string | null
}

/** a display account a link can sign a wall in with */
export interface DisplayAccount {
  id: number
  username: string
  displayName: string
  townId: number | null
  disabled: boolean
}

/** how a wall is called on the desk: its name, else what it is until someone names it */
export const wallLabel = (d: Pick<Display, 'name' | 'width' | 'height' | 'username'>) => d.name ?? `未命名大屏（${d.username} · ${d.width}×${d.height}）`

/** 大屏管理 (admin): the tours walls run, and the walls themselves as they report every minute. */
export const useWallsStore = defineStore('deskWalls', () => {
  const tours = shallowRef<Tour[]>([])
  const displays = shallowRef<Display[]>([])
  const vehicles = shallowRef<VehicleSummary[]>([])
  const accounts = shallowRef<DisplayAccount[]>([])

  async function load(): Promise<void> {
    const [t, d, v] = await Promise.all([getJson<Tour[]>('/api/tours'), getJson<Display[]>('/api/displays'), getJson<VehicleSummary[]>('/api/vehicles')])
    tours.value = t
    displays.value = d
    vehicles.value = v
  }
  async function loadDisplays(): Promise<void> {
    displays.value = await getJson<Display[]>('/api/displays')
  }
  /** the whole list is saved at once (PUT replaces it), so a tour removed here is removed */
  async function save(list: Pick<Tour, 'name' | 'steps' | 'schedule'>[]): Promise<void> {
    tours.value = await putJson<Tour[]>('/api/tours', { tours: list })
  }
  /** names a wall and/or assigns it a tour (null: none); the wall takes the tour at once */
  async function update(displayId: string, set: { name?: string | null; tourId?: number | null }): Promise<void> {
    const r = await patchJson<{ name: string | null; tourId: number | null; tourName: string | null }>(`/api/displays/${encodeURIComponent(displayId)}`, set)
    displays.value = displays.value.map((d) => (d.displayId === displayId ? { ...d, ...r } : d))
  }
  async function reload(displayId: string): Promise<void> {
    await postJson(`/api/displays/${encodeURIComponent(displayId)}/reload`)
  }
  async function loadAccounts(): Promise<void> {
    accounts.value = (await getJson<{ users: DisplayAccount[] }>('/api/users?role=display&limit=500')).users.filter((u) => !u.disabled)
  }
  /** a display link's one-time code: it goes in the link's #fragment, which the browser never sends */
  async function pair(userId: number, name: string | null, tourId: number | null): Promise<{ code: string; expiresAt: string }> {
    return postJson('/api/displays/pairings', { userId, ...(name ? { name } : {}), ...(tourId ? { tourId } : {}) })
  }
  return { tours, displays, vehicles, accounts, load, loadDisplays, save, update, reload, loadAccounts, pair }
})

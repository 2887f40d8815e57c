import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { VehicleSummary } from '../../../../geo/vehicles.ts'
import { getJson, putJson } from '../../shared/api.ts'
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
}

/** 大屏管理 (admin): the tours walls run, and the walls themselves as they report every minute. */
export const useWallsStore = defineStore('deskWalls', () => {
  const tours = shallowRef<Tour[]>([])
  const displays = shallowRef<Display[]>([])
  const vehicles = shallowRef<VehicleSummary[]>([])

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
  return { tours, displays, vehicles, load, loadDisplays, save }
})

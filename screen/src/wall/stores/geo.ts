import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { Facilities, GridCollection, RoadCollection, TownFeature, VillageCollection } from '../../../../geo/types.ts'
import { getJson } from '../../shared/api.ts'

/** The township's geography, loaded once; shallow refs because GeoJSON is large and never mutated in place. */
export const useGeoStore = defineStore('geo', () => {
  const town = shallowRef<TownFeature | null>(null)
  const villages = shallowRef<VillageCollection | null>(null)
  const grids = shallowRef<GridCollection | null>(null)
  const roads = shallowRef<RoadCollection | null>(null)
  const facilities = shallowRef<Facilities | null>(null)
  const error = shallowRef<string | null>(null)
  /** the map has drawn the town; charts start then, so the map comes first on a slow wall PC */
  const mapDrawn = shallowRef(false)

  async function load() {
    try {
      const [t, v, g, r, f] = await Promise.all([
        getJson<TownFeature>('/api/town'),
        getJson<VillageCollection>('/api/villages'),
        getJson<GridCollection>('/api/grids'),
        getJson<RoadCollection>('/api/roads'),
        getJson<Facilities>('/api/facilities'),
      ])
      town.value = t
      villages.value = v
      grids.value = g
      roads.value = r
      facilities.value = f
      error.value = null
    } catch (err) {
      error.value = (err as Error).message
    }
  }

  return { town, villages, grids, roads, facilities, error, mapDrawn, load }
})

import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson'
import { shallowRef } from 'vue'
import type { GridProps, HouseholdProps, RoadCollection, TownFeature } from '../../../../geo/types.ts'
import { getJson } from '../../shared/api.ts'

/** What the grid worker's map and forms need once signed in: the town, her grid and its households, the categories. */
export function useGridData() {
  const town = shallowRef<TownFeature | null>(null)
  const roads = shallowRef<RoadCollection | null>(null)
  const grid = shallowRef<Feature<Polygon | MultiPolygon, GridProps> | null>(null)
  const households = shallowRef<FeatureCollection<Point, HouseholdProps> | null>(null)
  const categories = shallowRef<{ code: string; name: string }[]>([])

  async function load(gridId: number | null): Promise<void> {
    const [t, r, g, c] = await Promise.all([
      getJson<TownFeature>('/api/town'),
      getJson<RoadCollection>('/api/roads'),
      getJson<FeatureCollection<Polygon | MultiPolygon, GridProps>>('/api/grids'),
      getJson<{ code: string; name: string }[]>('/api/work-orders/categories'),
    ])
    town.value = t
    roads.value = r
    grid.value = g.features.find((f) => f.properties.id === gridId) ?? null
    categories.value = c
    households.value = await getJson<FeatureCollection<Point, HouseholdProps>>(`/api/households?grid=${gridId}`)
  }
  /** the households again (member counts after a registration or a move); offline, they stay as they were */
  async function refreshHouseholds(gridId: number | null | undefined): Promise<void> {
    if (!gridId) return
    const h = await getJson<FeatureCollection<Point, HouseholdProps>>(`/api/households?grid=${gridId}`).catch(() => null)
    if (h) households.value = h
  }
  return { town, roads, grid, households, categories, load, refreshHouseholds }
}

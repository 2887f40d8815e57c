import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import type { GridProps, RoadCollection, TownFeature, VillageProps } from '../../../../geo/types.ts'
import type { TownList } from '../../../../geo/towns.ts'
import { getJson, putJson } from '../../shared/api.ts'

export interface Category {
  code: string
  name: string
  departmentId: number | null
  departmentName: string | null
  slaHours: Record<'asked' | 'dispatched' | 'transferred' | 'handled' | 'reviewed' | 'replied', number>
  /** about one household's private matters (低保, 救助, family disputes): a wall sees such orders at their grid, without photos */
  sensitive: boolean
}
export interface Department {
  id: number
  name: string
}
export interface Option {
  id: number
  /** a village's town (镇) */
  townId?: number
  name: string
}
export type GridFeature = FeatureCollection<Polygon | MultiPolygon, GridProps>['features'][number]

/**
 * What every view looks things up in: villages, grids per village, departments, categories,
 * and the basemap's town and roads. Loaded once per sign-in and shared, so opening ten orders
 * does not fetch the roads ten times.
 */
export const useLookupStore = defineStore('deskLookups', () => {
  const villages = shallowRef<Option[]>([])
  /** the county's towns; more than one only on a county's system (the filters then offer them) */
  const towns = shallowRef<Option[]>([])
  const departments = shallowRef<Department[]>([])
  const categories = shallowRef<Category[]>([])
  const gridsByVillage = new Map<number, Promise<GridFeature[]>>()
  let base: Promise<{ town: TownFeature; roads: RoadCollection }> | null = null
  let loaded: Promise<void> | null = null

  function load(): Promise<void> {
    loaded ??= Promise.all([
      getJson<FeatureCollection<Polygon, VillageProps>>('/api/villages'),
      getJson<Department[]>('/api/departments'),
      getJson<Category[]>('/api/work-orders/categories'),
      getJson<TownList>('/api/towns'),
    ]).then(([v, d, c, t]) => {
      villages.value = v.features.map((f) => ({ id: f.properties.id, name: f.properties.name, townId: f.properties.townId })).sort((a, b) => a.id - b.id)
      towns.value = t.towns.map((x) => ({ id: x.id, name: x.name }))
      departments.value = d
      categories.value = c
    }).catch((err) => {
      loaded = null // try again on the next view that needs them
      throw err
    })
    return loaded
  }

  function grids(villageId: number): Promise<GridFeature[]> {
    let p = gridsByVillage.get(villageId)
    if (!p) {
      p = getJson<FeatureCollection<Polygon | MultiPolygon, GridProps>>(`/api/grids?village=${villageId}`).then((fc) => fc.features)
      p.catch(() => gridsByVillage.delete(villageId))
      gridsByVillage.set(villageId, p)
    }
    return p
  }

  function basemap(): Promise<{ town: TownFeature; roads: RoadCollection }> {
    base ??= Promise.all([getJson<TownFeature>('/api/town'), getJson<RoadCollection>('/api/roads')]).then(([town, roads]) => ({ town, roads }))
    base.catch(() => (base = null))
    return base
  }

  async function saveCategory(c: Pick<Category, 'code' | 'name' | 'departmentName' | 'slaHours' | 'sensitive'>): Promise<void> {
    await putJson(`/api/work-orders/categories/${encodeURIComponent(c.code)}`, { name: c.name, departmentName: c.departmentName, slaHours: c.slaHours, sensitive: c.sensitive })
    categories.value = await getJson<Category[]>('/api/work-orders/categories')
  }

  const villageName = (id: number | null | undefined) => villages.value.find((v) => v.id === id)?.name ?? (id ? `村${id}` : '')
  const departmentName = (id: number | null | undefined) => departments.value.find((d) => d.id === id)?.name ?? (id ? `部门${id}` : '')
  const category = (code: string) => categories.value.find((c) => c.code === code)

  /** a village's grids changed (网格划分): read again when next asked */
  const dropGrids = (villageId: number) => gridsByVillage.delete(villageId)

  function reset(): void {
    loaded = null
    base = null
    gridsByVillage.clear()
  }

  return { villages, towns, departments, categories, load, grids, dropGrids, basemap, saveCategory, villageName, departmentName, category, reset }
})

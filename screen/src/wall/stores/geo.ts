import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { Facilities, GridCollection, RoadCollection, TownFeature, VillageCollection } from '../../../../geo/types.ts'
import type { TownList, TownOutlines } from '../../../../geo/towns.ts'
import { getJson } from '../../shared/api.ts'
import { useAuthStore } from '../../shared/stores/auth.ts'
import { useScopeStore } from './scope.ts'

/**
 * The wall's geography, loaded once; shallow refs because GeoJSON is large and never mutated
 * in place. A county's wall holds every town's villages and grids (1,248 grids are ~1 MB of
 * outlines); a town's wall only its own town's.
 */
export const useGeoStore = defineStore('geo', () => {
  const auth = useAuthStore()
  const scope = useScopeStore()
  /** the wall's home town (a county's wall: the first), whose outline the basemap draws when there are no towns */
  const town = shallowRef<TownFeature | null>(null)
  const towns = shallowRef<TownList | null>(null)
  const outlines = shallowRef<TownOutlines | null>(null)
  const villages = shallowRef<VillageCollection | null>(null)
  const grids = shallowRef<GridCollection | null>(null)
  const roads = shallowRef<RoadCollection | null>(null)
  const facilities = shallowRef<Facilities | null>(null)
  const error = shallowRef<string | null>(null)
  /** the map has drawn the town; charts start then, so the map comes first on a slow wall PC */
  const mapDrawn = shallowRef(false)
  let resolved: Promise<void> | null = null

  /**
   * Whose wall this is: a county-wide account on a system of several towns gets the county's
   * wall, everyone else their town's. Asked once, before any figures, so the first figures
   * are already those of the right root.
   */
  function resolveRoot(): Promise<void> {
    resolved ??= (async () => {
      try {
        const [list] = await Promise.all([getJson<TownList>('/api/towns'), auth.loadUser()])
        towns.value = list
        const county = auth.user?.scope?.level === 'county' && list.towns.length > 1
        scope.setRoot(county ? 'county' : 'town')
      } catch (err) {
        resolved = null // asked again on the next load
        error.value = (err as Error).message
      }
    })()
    return resolved
  }

  /**
   * 尚未导入底数: no village in the towns this wall shows (a system started empty, or a town named
   * before its villages): the wall says so instead of drawing empty charts.
   */
  const noData = computed(() => {
    const list = towns.value
    if (!list) return false
    const own = auth.user?.scope?.townId
    return list.towns.filter((t) => !own || t.id === own).every((t) => t.villages === 0)
  })

  /**
   * While there is no data: asks the towns again (on a timer and on dataChanged), and once
   * villages are there, which root the wall has now and its geography. True when data arrived.
   */
  async function recheck(): Promise<boolean> {
    try {
      towns.value = await getJson<TownList>('/api/towns')
    } catch {
      return false
    }
    if (noData.value) return false
    resolved = null
    await resolveRoot()
    await load()
    return true
  }

  async function load() {
    await resolveRoot()
    // nothing to draw yet: /api/town would be a 404 and the lists empty
    if (noData.value) return
    try {
      const county = scope.countyMode
      const own = auth.user?.scope?.townId
      const inTown = !county && own ? `?town=${own}` : ''
      const [t, o, v, g, r, f] = await Promise.all([
        getJson<TownFeature>('/api/town'),
        county ? getJson<TownOutlines>('/api/towns/outlines') : null,
        getJson<VillageCollection>(`/api/villages${inTown}`),
        getJson<GridCollection>(`/api/grids${inTown}`),
        getJson<RoadCollection>('/api/roads'),
        getJson<Facilities>('/api/facilities'),
      ])
      town.value = t
      outlines.value = o
      villages.value = v
      grids.value = g
      roads.value = r
      facilities.value = f
      error.value = null
    } catch (err) {
      error.value = (err as Error).message
    }
  }

  /** cameras and collection points again (a camera added or gone offline), without the rest of the map */
  async function loadFacilities(): Promise<void> {
    if (noData.value) return
    try {
      facilities.value = await getJson<Facilities>('/api/facilities')
    } catch {
      /* the next push or load tries again */
    }
  }

  /** the town a scope lies in (null: the county) */
  function townOf(s: { kind: string; id: number | null }): number | null {
    if (s.kind === 'county') return null
    if (s.kind === 'town') return s.id ?? town.value?.properties.id ?? null
    const villageId = s.kind === 'village' ? s.id : grids.value?.features.find((f) => f.properties.id === s.id)?.properties.villageId
    return villages.value?.features.find((f) => f.properties.id === villageId)?.properties.townId ?? null
  }
  const currentTown = computed(() => townOf(scope.current))

  /** one level up (grid → village → town → county on a county's wall); null at the wall's root */
  function parentOf(s: { kind: string; id: number | null }): { kind: 'county' | 'town' | 'village'; id: number | null } | null {
    if (s.kind === 'grid') {
      const v = grids.value?.features.find((f) => f.properties.id === s.id)?.properties.villageId
      return v === undefined ? null : { kind: 'village', id: v }
    }
    if (s.kind === 'village') return { kind: 'town', id: scope.countyMode ? townOf(s) : null }
    if (s.kind === 'town' && scope.countyMode) return { kind: 'county', id: null }
    return null
  }

  /**
   * The breadcrumb of a scope from the map's own geography (county › town › village › grid), so
   * it answers a click at once instead of after the figures; null for a place not loaded here.
   */
  function pathOf(s: { kind: string; id: number | null }): { kind: 'county' | 'town' | 'village' | 'grid'; id: number | null; name: string }[] | null {
    const t = townOf(s)
    const countyName = towns.value?.county?.name ?? '全县'
    const townName = t === null ? null : towns.value?.towns.find((x) => x.id === t)?.name ?? (town.value?.properties.id === t ? town.value.properties.name : null)
    const path: { kind: 'county' | 'town' | 'village' | 'grid'; id: number | null; name: string }[] = scope.countyMode ? [{ kind: 'county', id: null, name: countyName }] : []
    if (s.kind === 'county') return scope.countyMode ? path : null
    if (townName === null) return null
    path.push({ kind: 'town', id: scope.countyMode ? t : null, name: townName })
    if (s.kind === 'town') return path
    const g = s.kind === 'grid' ? grids.value?.features.find((f) => f.properties.id === s.id)?.properties : undefined
    const villageId = s.kind === 'village' ? s.id : g?.villageId
    const v = villages.value?.features.find((f) => f.properties.id === villageId)?.properties
    if (!v || (s.kind === 'grid' && !g)) return null
    path.push({ kind: 'village', id: v.id, name: v.name })
    if (g) path.push({ kind: 'grid', id: g.id, name: g.name })
    return path
  }

  return { town, towns, outlines, villages, grids, roads, facilities, error, mapDrawn, noData, currentTown, townOf, parentOf, pathOf, resolveRoot, load, loadFacilities, recheck }
})

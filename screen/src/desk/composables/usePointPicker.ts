import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { basemapStyle } from '../../shared/map/basemap-style.ts'
import { bboxOf, contains } from '../../../../geo/polygons.ts'
import { useLookupStore, type GridFeature } from '../stores/lookups.ts'
import type { HouseholdFeature } from '../stores/population.ts'

maplibregl.setWorkerUrl(workerUrl)

const collection = <T>(features: T[]) => ({ type: 'FeatureCollection' as const, features })

/**
 * A dwelling's place, picked with a click on the offline basemap: the village's grids outlined
 * (the one under the point lit), the grid's existing households as dots, the picked point in
 * red. The server snaps the point to its grid again; the grid named here is only a preview.
 */
export function usePointPicker(
  el: Ref<HTMLElement | undefined>, villageId: Ref<number | null>, focusGrid: Ref<number | null>, households: Ref<HouseholdFeature[]>, start: [number, number] | null,
) {
  const lookups = useLookupStore()
  const picked = ref<[number, number] | null>(start)
  const grid = ref<GridFeature | null>(null)
  const ready = ref(false)
  const failed = ref<string | null>(null)
  let grids: GridFeature[] = []
  let map: maplibregl.Map | null = null

  const source = (id: string) => map?.getSource(id) as maplibregl.GeoJSONSource | undefined
  function paint(): void {
    const p = picked.value
    grid.value = p ? grids.find((g) => contains(g.geometry, p)) ?? null : null
    source('picked')?.setData(collection(p ? [{ type: 'Feature' as const, properties: {}, geometry: { type: 'Point' as const, coordinates: p } }] : []))
    // the grid under the point, or (nothing picked yet) the grid the dialog was opened on
    const lit = grid.value ?? (p ? null : grids.find((g) => g.properties.id === focusGrid.value))
    source('grid')?.setData(collection(lit ? [lit] : []))
  }
  /** the focused grid (else the village) in view, centred on its label point, which lies inside it */
  function fit(): void {
    const focus = grids.find((g) => g.properties.id === focusGrid.value)
    const shown = focus ? [focus] : grids
    if (!map || !shown.length) return
    const boxes = shown.map((g) => bboxOf(g.geometry))
    map.fitBounds([Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))], { padding: 20, duration: 0 })
    if (picked.value) map.jumpTo({ center: picked.value, zoom: Math.max(map.getZoom(), 16) })
    else if (focus) map.jumpTo({ center: focus.properties.label })
  }

  async function show(): Promise<void> {
    if (!el.value || !villageId.value) return
    try {
      const [base, g] = await Promise.all([lookups.basemap(), lookups.grids(villageId.value)])
      grids = g
      if (!el.value) return
      if (!map) {
        map = new maplibregl.Map({ container: el.value, style: basemapStyle(base.town, base.roads), center: g[0]?.properties.label ?? [117.4, 35.1], zoom: 13, attributionControl: false, maxZoom: 19 })
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right')
        await new Promise<void>((r) => map!.once('load', () => r()))
        for (const id of ['grids', 'grid', 'households', 'picked']) map.addSource(id, { type: 'geojson', data: collection([]) })
        map.addLayer({ id: 'grids-line', type: 'line', source: 'grids', paint: { 'line-color': '#38bdf8', 'line-opacity': 0.5, 'line-width': 1 } })
        map.addLayer({ id: 'grid-fill', type: 'fill', source: 'grid', paint: { 'fill-color': '#38bdf8', 'fill-opacity': 0.14 } })
        map.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': '#facc15', 'line-width': 2 } })
        map.addLayer({ id: 'households', type: 'circle', source: 'households', paint: { 'circle-radius': 4, 'circle-color': '#22d3ee', 'circle-stroke-color': '#04101f', 'circle-stroke-width': 1 } })
        map.addLayer({ id: 'picked', type: 'circle', source: 'picked', paint: { 'circle-radius': 8, 'circle-color': '#f87171', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } })
        map.on('click', (e) => {
          picked.value = [Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))]
        })
        map.getCanvas().setAttribute('aria-label', '在地图上点击选择住址位置')
      }
      source('grids')?.setData(collection(grids))
      source('households')?.setData(collection(households.value))
      map.resize()
      fit()
      paint()
      map.once('idle', () => {
        ready.value = true
        map!.getCanvas().dataset.ready = '1'
      })
    } catch (err) {
      failed.value = err instanceof Error ? err.message : String(err)
    }
  }

  watch([el, villageId], () => void show(), { flush: 'post', immediate: true })
  watch(households, (h) => source('households')?.setData(collection(h)))
  // another grid to focus (the 待落图 list's next household): into view and lit
  watch(focusGrid, () => {
    fit()
    paint()
  })
  watch(picked, paint)

  onBeforeUnmount(() => {
    map?.remove()
    map = null
  })

  /** a point typed in (e.g. by a test or from a GPS reading): the same as a click */
  const pick = (p: [number, number] | null) => (picked.value = p)
  /** where on the map a point of the page lies (something dropped on it), or null off the map */
  function pointAt(clientX: number, clientY: number): [number, number] | null {
    if (!map) return null
    const box = map.getCanvas().getBoundingClientRect()
    if (clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom) return null
    const at = map.unproject([clientX - box.left, clientY - box.top])
    return [Number(at.lng.toFixed(7)), Number(at.lat.toFixed(7))]
  }

  return { picked, grid, ready, failed, pick, pointAt }
}

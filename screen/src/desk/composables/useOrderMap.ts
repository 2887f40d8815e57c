import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import type { WorkOrder } from '../../../../geo/work-orders.ts'
import { bboxOf } from '../../../../geo/polygons.ts'
import { basemapStyle } from '../../shared/map/basemap-style.ts'
import { useLookupStore, type GridFeature } from '../stores/lookups.ts'

maplibregl.setWorkerUrl(workerUrl)

const empty = { type: 'FeatureCollection' as const, features: [] }

/**
 * The order's place: the offline basemap (our town and roads, no tile service), the grids of
 * its village with its own grid lit, and the point. The map is made once per page and moved
 * when another order is shown, since a new WebGL context per order would soon run out.
 */
export function useOrderMap(el: Ref<HTMLElement | undefined>, order: Ref<WorkOrder | null>) {
  const lookups = useLookupStore()
  const ready = ref(false)
  const gridName = ref('')
  const failed = ref<string | null>(null)
  let map: maplibregl.Map | null = null
  let seq = 0
  // the order's grid and point, framed again when the window changes size, until the user moves the map
  let frame: [number, number, number, number] | null = null
  let userMoved = false
  const fit = () => frame && map?.fitBounds(frame, { padding: 36, maxZoom: 17, duration: 0 })

  async function show(o: WorkOrder): Promise<void> {
    const mine = ++seq
    let grids: GridFeature[]
    try {
      const [base, g] = await Promise.all([lookups.basemap(), lookups.grids(o.villageId)])
      grids = g
      if (mine !== seq || !el.value) return
      if (!map) {
        map = new maplibregl.Map({
          container: el.value, style: basemapStyle(base.town, base.roads), center: [o.lon, o.lat], zoom: 14,
          attributionControl: false, maxZoom: 19,
        })
        map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right')
        map.on('movestart', (e) => {
          if ((e as { originalEvent?: Event }).originalEvent) userMoved = true
        })
        map.on('resize', () => {
          if (!userMoved) fit()
        })
        await new Promise<void>((r) => map!.once('load', () => r()))
        map.addSource('grids', { type: 'geojson', data: empty })
        map.addSource('grid', { type: 'geojson', data: empty })
        map.addSource('point', { type: 'geojson', data: empty })
        map.addLayer({ id: 'grids-line', type: 'line', source: 'grids', paint: { 'line-color': '#38bdf8', 'line-opacity': 0.45, 'line-width': 1 } })
        map.addLayer({ id: 'grid-fill', type: 'fill', source: 'grid', paint: { 'fill-color': '#38bdf8', 'fill-opacity': 0.14 } })
        map.addLayer({ id: 'grid-line', type: 'line', source: 'grid', paint: { 'line-color': '#facc15', 'line-width': 2.5 } })
        map.addLayer({
          id: 'point', type: 'circle', source: 'point',
          paint: { 'circle-radius': 8, 'circle-color': '#f87171', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
        })
      }
      if (mine !== seq) return
    } catch (err) {
      failed.value = err instanceof Error ? err.message : String(err)
      return
    }
    const own = grids.find((g) => g.properties.id === o.gridId)
    gridName.value = own ? `${own.properties.villageName} · ${own.properties.name}` : `${o.villageName} · ${o.gridName}`
    ;(map.getSource('grids') as maplibregl.GeoJSONSource).setData({ type: 'FeatureCollection', features: grids })
    ;(map.getSource('grid') as maplibregl.GeoJSONSource).setData({ type: 'FeatureCollection', features: own ? [own] : [] })
    ;(map.getSource('point') as maplibregl.GeoJSONSource).setData({
      type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [o.lon, o.lat] } }],
    })
    const [w, s, e, n] = own ? bboxOf(own.geometry) : [o.lon, o.lat, o.lon, o.lat]
    frame = [Math.min(w, o.lon), Math.min(s, o.lat), Math.max(e, o.lon), Math.max(n, o.lat)]
    userMoved = false
    map.resize()
    fit()
    map.once('idle', () => {
      if (mine !== seq) return
      ready.value = true
      map!.getCanvas().dataset.ready = '1'
    })
  }

  watch(
    () => (order.value ? `${order.value.id}` : null),
    () => {
      ready.value = false
      if (order.value && el.value) void show(order.value)
    },
    { flush: 'post', immediate: true },
  )
  // the element may arrive after the order (v-if on the layout)
  watch(el, () => {
    if (el.value && order.value && !map) void show(order.value)
  })

  onBeforeUnmount(() => {
    seq++
    map?.remove()
    map = null
  })

  return { ready, gridName, failed }
}

import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures, type SnapToCustom } from 'terra-draw'
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter'
import { onBeforeUnmount, ref, shallowRef, type Ref } from 'vue'
import type { LineString, MultiPolygon, Polygon } from 'geojson'
import { basemapStyle } from '../../shared/map/basemap-style.ts'
import { useLookupStore } from '../stores/lookups.ts'
import type { EditorGrid, EditReport, VillageFeature } from '../stores/gridEditor.ts'
import { addGridLayers, areaText, gridsData, previewData, problemData, PROBLEM_WORDS, villageData } from '../map/grid-layers.ts'
import { snapPoint, snapSet, type SnapSet } from '../map/grid-snap.ts'

maplibregl.setWorkerUrl(workerUrl)

type Shape = Polygon | MultiPolygon
export type DrawTool = 'line' | 'polygon' | 'reshape'
/** how near (px) a click must be to a vertex to take it, or to the first or last point to finish: terra-draw's 40 closed small shapes early */
const PICK_PX = 16

const bounds = (g: Shape): [number, number, number, number] => {
  const pts = (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat()).flat()
  const xs = pts.map((p) => p[0])
  const ys = pts.map((p) => p[1])
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]
}

/**
 * The grid editor's map: the offline basemap with the village and its grids, and terra-draw
 * (with its MapLibre adapter) for the three drawing tools: a cutting line, a new polygon, and a
 * grid's own outline with draggable vertices. Every drawn point snaps to the village outline and
 * the neighbours' vertices and edges (grid-snap.ts). The map only draws: the view decides.
 */
export function useGridMap(el: Ref<HTMLElement | undefined>, on: { pick(id: number, additive: boolean): void }) {
  const lookups = useLookupStore()
  const ready = ref(false)
  const failed = ref<string | null>(null)
  const tool = shallowRef<DrawTool | null>(null)
  let map: maplibregl.Map | null = null
  let draw: TerraDraw | null = null
  let labels: maplibregl.Marker[] = []
  let problemLabels: maplibregl.Marker[] = []
  let snaps: SnapSet = { vertices: [], segments: [] }
  let finish: ((f: GeoJSONStoreFeatures | null) => void) | null = null
  let framed: number | null = null
  const state: { village: VillageFeature | null; grids: EditorGrid[] } = { village: null, grids: [] }

  const toCustom: SnapToCustom = (event, context) => snapPoint({ x: event.containerX, y: event.containerY }, snaps, context.project, context.unproject)
  const source = (id: string) => map?.getSource(id) as maplibregl.GeoJSONSource | undefined

  async function start(): Promise<void> {
    if (!el.value || map) return
    try {
      const base = await lookups.basemap()
      if (!el.value || map) return
      map = new maplibregl.Map({
        container: el.value, style: basemapStyle(base.town, base.roads), center: base.town.properties.bbox ? [(base.town.properties.bbox[0] + base.town.properties.bbox[2]) / 2, (base.town.properties.bbox[1] + base.town.properties.bbox[3]) / 2] : [117.4, 35.1],
        zoom: 12, attributionControl: false, maxZoom: 19, doubleClickZoom: false,
      })
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right')
      await new Promise<void>((r) => map!.once('load', () => r()))
      addGridLayers(map)
      draw = new TerraDraw({
        adapter: new TerraDrawMapLibreGLAdapter({ map }),
        // numbered ids: terra-draw's default UUIDs need crypto.randomUUID, missing on a plain-http intranet
        idStrategy: (() => { let n = 0; return { isValidId: (id: unknown) => typeof id === 'number', getId: () => ++n } })(),
        modes: [
          new TerraDrawLineStringMode({ snapping: { toCustom }, pointerDistance: PICK_PX, styles: { lineStringColor: '#facc15', lineStringWidth: 3, closingPointColor: '#facc15' } }),
          new TerraDrawPolygonMode({ snapping: { toCustom }, pointerDistance: PICK_PX, styles: { fillColor: '#4ade80', fillOpacity: 0.25, outlineColor: '#4ade80', outlineWidth: 2, closingPointColor: '#4ade80' } }),
          new TerraDrawSelectMode({
            allowManualDeselection: false,
            pointerDistance: PICK_PX,
            // the outline must not vanish on a stray Delete, nor turn or grow: only its vertices move
            keyEvents: { deselect: null, delete: null, rotate: null, scale: null },
            flags: { polygon: { feature: { draggable: false, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: { toCustom } } } } },
            styles: { selectedPolygonColor: '#facc15', selectedPolygonFillOpacity: 0.2, selectedPolygonOutlineColor: '#facc15', selectedPolygonOutlineWidth: 3, selectionPointColor: '#facc15', selectionPointWidth: 6, midPointColor: '#fde68a' },
          }),
        ],
      })
      draw.start()
      draw.on('finish', (id) => {
        const f = draw?.getSnapshotFeature(id) ?? null
        if (tool.value === 'line' || tool.value === 'polygon') {
          draw!.setMode('static')
          finish?.(f)
          finish = null
        }
      })
      map.on('click', 'grids-fill', (e) => {
        if (tool.value) return
        const id = e.features?.[0]?.properties?.id
        const me = e.originalEvent
        if (typeof id === 'number') on.pick(id, me.shiftKey || me.ctrlKey || me.metaKey)
      })
      map.on('mouseenter', 'grids-fill', () => !tool.value && (map!.getCanvas().style.cursor = 'pointer'))
      map.on('mouseleave', 'grids-fill', () => !tool.value && (map!.getCanvas().style.cursor = ''))
      map.getCanvas().setAttribute('aria-label', '网格划分地图：点击选中网格，按住 Shift 多选')
      // for the browser tests: where a place is on the screen
      Object.defineProperty(el.value, 'gridMapProject', { value: (lng: number, lat: number) => map!.project([lng, lat]), configurable: true })
      paint()
      ready.value = true
    } catch (err) {
      failed.value = err instanceof Error ? err.message : String(err)
    }
  }

  function labelAt(lngLat: [number, number], text: string, cls: string): maplibregl.Marker {
    const div = document.createElement('div')
    div.className = cls
    div.textContent = text
    return new maplibregl.Marker({ element: div }).setLngLat(lngLat).addTo(map!)
  }

  function paint(selected: number[] = []): void {
    if (!map) return
    source('village')?.setData(villageData(state.village))
    source('grids')?.setData(gridsData(state.grids, selected))
    for (const m of labels) m.remove()
    labels = state.grids.map((g) => labelAt(g.properties.label, g.properties.name, `grid-label${g.properties.kind === 'exclusive' ? ' exclusive' : ''}`))
    const id = state.village?.properties.id ?? null
    if (state.village && framed !== id) {
      framed = id
      map.fitBounds(bounds(state.village.geometry), { padding: 30, duration: 0 })
    }
    map.once('idle', () => el.value?.setAttribute('data-ready', '1'))
  }

  /** the village and its grids as they are now; the selected ones lit */
  function show(village: VillageFeature | null, grids: EditorGrid[], selected: number[]): void {
    state.village = village
    state.grids = grids
    el.value?.setAttribute('data-ready', '0')
    paint(selected)
  }

  const select = (selected: number[]) => source('grids')?.setData(gridsData(state.grids, selected))

  /** the checked edit over the grids: what it makes, and its problems at their points */
  function preview(r: EditReport | null): void {
    source('preview')?.setData(previewData(r))
    source('problems')?.setData(problemData(r))
    for (const m of problemLabels) m.remove()
    problemLabels = map ? (r?.problems ?? []).filter((p) => p.point).map((p) => labelAt(p.point!, `${PROBLEM_WORDS[p.kind] ?? p.kind} ${areaText(p.areaM2)}`, 'problem-label')) : []
  }

  function begin(t: DrawTool, others: (Shape | undefined)[]): void {
    stop()
    snaps = snapSet([state.village?.geometry, ...others])
    tool.value = t
  }

  /** a line drawn across the map (click the points, click the last one again or press Enter) */
  function drawLine(): Promise<LineString | null> {
    if (!draw) return Promise.resolve(null)
    begin('line', state.grids.map((g) => g.geometry))
    draw.setMode('linestring')
    return new Promise((r) => (finish = (f) => r((f?.geometry as LineString | undefined) ?? null)))
  }

  /** a new polygon (click its corners, click the first one again to close it) */
  function drawPolygon(): Promise<Polygon | null> {
    if (!draw) return Promise.resolve(null)
    begin('polygon', state.grids.map((g) => g.geometry))
    draw.setMode('polygon')
    return new Promise((r) => (finish = (f) => r((f?.geometry as Polygon | undefined) ?? null)))
  }

  /** the grid's outline with draggable vertices; false for a grid in several parts */
  function reshape(grid: EditorGrid): boolean {
    if (!draw || grid.geometry.type !== 'Polygon') return false
    begin('reshape', state.grids.filter((g) => g.properties.id !== grid.properties.id).map((g) => g.geometry))
    const [result] = draw.addFeatures([{ type: 'Feature', id: draw.getFeatureId(), geometry: grid.geometry, properties: { mode: 'polygon' } }])
    if (!result?.valid) {
      stop()
      return false
    }
    draw.setMode('select')
    draw.selectFeature(result.id!)
    return true
  }

  /** the reshaped outline as it is now */
  function reshaped(): Polygon | null {
    const f = draw?.getSnapshot().find((x) => x.geometry.type === 'Polygon')
    return (f?.geometry as Polygon | undefined) ?? null
  }

  /** the drawing tool put away, whatever it held */
  function stop(): void {
    finish?.(null)
    finish = null
    tool.value = null
    if (draw?.enabled) {
      draw.setMode('static')
      draw.clear()
    }
  }

  onBeforeUnmount(() => {
    stop()
    draw?.stop()
    map?.remove()
    map = null
  })

  return { ready, failed, tool, start, show, select, preview, drawLine, drawPolygon, reshape, reshaped, stop }
}

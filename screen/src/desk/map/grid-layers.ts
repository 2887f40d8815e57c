import type * as maplibregl from 'maplibre-gl'
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson'
import type { EditorGrid, EditReport, VillageFeature } from '../stores/gridEditor.ts'

// The grid editor's map layers over the offline basemap: the village, its grids (base blue,
// exclusive amber, the selected ones outlined in gold), the checked edit's result (new and
// changed grids dashed) and its problems (red points). Names and areas are HTML labels.

export const collection = <G extends Geometry>(features: Feature<G>[]): FeatureCollection<G> => ({ type: 'FeatureCollection', features })

export const SOURCES = ['village', 'grids', 'preview', 'problems'] as const

export function addGridLayers(map: maplibregl.Map): void {
  for (const id of SOURCES) map.addSource(id, { type: 'geojson', data: collection([]) })
  map.addLayer({ id: 'village-fill', type: 'fill', source: 'village', paint: { 'fill-color': '#0b3a63', 'fill-opacity': 0.35 } })
  map.addLayer({
    id: 'grids-fill', type: 'fill', source: 'grids',
    paint: {
      'fill-color': ['case', ['==', ['get', 'kind'], 'exclusive'], '#f59e0b', '#0ea5e9'],
      'fill-opacity': ['case', ['boolean', ['get', 'selected'], false], 0.38, 0.16],
    },
  })
  map.addLayer({ id: 'grids-line', type: 'line', source: 'grids', paint: { 'line-color': '#7dd3fc', 'line-width': 1.2, 'line-opacity': 0.9 } })
  map.addLayer({ id: 'village-line', type: 'line', source: 'village', paint: { 'line-color': '#5eead4', 'line-width': 2.5 } })
  map.addLayer({
    id: 'grids-selected', type: 'line', source: 'grids', filter: ['==', ['get', 'selected'], true],
    paint: { 'line-color': '#facc15', 'line-width': 3 },
  })
  map.addLayer({
    id: 'preview-fill', type: 'fill', source: 'preview',
    paint: { 'fill-color': ['case', ['==', ['get', 'change'], 'new'], '#4ade80', '#22d3ee'], 'fill-opacity': 0.22 },
  })
  map.addLayer({
    id: 'preview-line', type: 'line', source: 'preview',
    paint: { 'line-color': ['case', ['==', ['get', 'change'], 'new'], '#4ade80', '#22d3ee'], 'line-width': 2.5, 'line-dasharray': [2, 1.5] },
  })
  map.addLayer({
    id: 'problems', type: 'circle', source: 'problems',
    paint: { 'circle-radius': 9, 'circle-color': '#ef4444', 'circle-opacity': 0.85, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
  })
}

export function villageData(v: VillageFeature | null): FeatureCollection {
  return collection(v ? [{ type: 'Feature', properties: {}, geometry: v.geometry }] : [])
}

export function gridsData(grids: EditorGrid[], selected: number[]): FeatureCollection {
  return collection(grids.map((g) => ({ type: 'Feature', properties: { id: g.properties.id, kind: g.properties.kind, selected: selected.includes(g.properties.id) }, geometry: g.geometry })))
}

/** the grids the checked edit makes or changes */
export function previewData(r: EditReport | null): FeatureCollection {
  return collection((r?.grids ?? []).filter((g) => g.change !== 'unchanged' && g.geometry).map((g) => ({ type: 'Feature', properties: { change: g.change }, geometry: g.geometry! })))
}

export function problemData(r: EditReport | null): FeatureCollection<Point> {
  return collection((r?.problems ?? []).filter((p) => p.point).map((p) => ({ type: 'Feature', properties: { kind: p.kind }, geometry: { type: 'Point', coordinates: p.point! } })))
}

/** an area as people read it: 平方米 below a hectare, else 公顷 */
export function areaText(m2: number): string {
  return m2 < 10_000 ? `${Math.round(m2).toLocaleString('zh-CN')} 平方米` : `${(m2 / 10_000).toFixed(2)} 公顷`
}

export const PROBLEM_WORDS: Record<string, string> = {
  gap: '缝隙（无网格覆盖）', overlap: '网格重叠', outsideVillage: '超出村界', duplicateName: '名称重复', duplicateCode: '编码重复',
  codeTaken: '编码已被使用', emptyGeometry: '网格被完全占去', noGeometry: '没有图形', villageUnknown: '不在本村', badKind: '类型不明',
}
export const WARNING_WORDS: Record<string, string> = {
  sliverSnapped: '细缝已自动吸附', repaired: '自相交已修复', workerOfRetiredGrid: '网格员所在网格已撤销',
}

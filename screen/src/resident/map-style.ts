import type { StyleSpecification } from 'maplibre-gl'
import type { PublicBasemap } from './geo.ts'

/**
 * The residents' map: the same offline geodata as the wall (no tile service, no glyph URL), drawn
 * light like the page, so roads and the town's edge read in daylight. Without the public basemap
 * it is a plain background on which a tap still places the point.
 */
export function residentMapStyle(base: PublicBasemap | null): StyleSpecification {
  const style: StyleSpecification = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dfe7ef' } }],
  }
  if (!base) return style
  style.sources = {
    town: { type: 'geojson', data: base.town as GeoJSON.GeoJSON },
    villages: { type: 'geojson', data: base.villages },
    roads: { type: 'geojson', data: base.roads },
  }
  style.layers.push(
    { id: 'town-fill', type: 'fill', source: 'town', paint: { 'fill-color': '#f8fafc' } },
    { id: 'village-line', type: 'line', source: 'villages', paint: { 'line-color': '#94a3b8', 'line-width': 1, 'line-dasharray': [3, 2] } },
    {
      id: 'roads-village', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'village'],
      paint: { 'line-color': '#cbd5e1', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.8, 16, 4] },
    },
    {
      id: 'roads-town', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'town'],
      paint: { 'line-color': '#a8b8ca', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1.4, 16, 6] },
    },
    {
      id: 'roads-county', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'county'],
      paint: { 'line-color': '#e0a84a', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 2.2, 16, 8] },
    },
    { id: 'town-outline', type: 'line', source: 'town', paint: { 'line-color': '#0e7490', 'line-width': 2.5 } },
  )
  return style
}

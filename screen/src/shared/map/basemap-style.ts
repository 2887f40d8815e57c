import type { StyleSpecification } from 'maplibre-gl'
import type { RoadCollection, TownFeature } from '../../../../geo/types.ts'
import type { TownOutlines } from '../../../../geo/towns.ts'

// An offline basemap drawn from our own geodata: no tile service, no glyphs URL (symbol
// layers would need one; labels are drawn by deck.gl with the local CJK font instead).
/** `town`: the land drawn under everything, one town or a county's towns */
export function basemapStyle(town: TownFeature | TownOutlines, roads: RoadCollection, externalTiles?: string): StyleSpecification {
  const style: StyleSpecification = {
    version: 8,
    sources: {
      // a town named before its villages has a null geometry, which draws nothing (valid GeoJSON)
      town: { type: 'geojson', data: town as GeoJSON.GeoJSON },
      roads: { type: 'geojson', data: roads },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#031226' } },
      { id: 'town-fill', type: 'fill', source: 'town', paint: { 'fill-color': '#072a4d', 'fill-opacity': 0.9 } },
      {
        id: 'roads-village', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'village'],
        paint: { 'line-color': '#1d4f7a', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.6, 15, 2.5] },
      },
      {
        id: 'roads-town', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'town'],
        paint: { 'line-color': '#2b6a9c', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1.2, 15, 4] },
      },
      {
        id: 'roads-county', type: 'line', source: 'roads', filter: ['==', ['get', 'kind'], 'county'],
        paint: { 'line-color': '#d9a441', 'line-opacity': 0.75, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 2, 15, 6] },
      },
      { id: 'town-outline', type: 'line', source: 'town', paint: { 'line-color': '#5eead4', 'line-width': 3, 'line-blur': 1 } },
    ],
  }
  if (externalTiles) {
    // An intranet raster basemap (e.g. a 天地图 mirror) may be configured; it is never required.
    style.sources.external = { type: 'raster', tiles: [externalTiles], tileSize: 256 }
    style.layers.splice(1, 0, { id: 'external', type: 'raster', source: 'external', paint: { 'raster-opacity': 0.5 } })
  }
  return style
}

import { GeoJsonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import type { Layer } from '@deck.gl/core'
import { colourAdjacent } from '../../../../geo/map-colouring.ts'
import { bboxOf, outerRings } from '../../../../geo/polygons.ts'
import { ems, placeLabels } from './label-placement.ts'
import type { GridCollection, GridProps, HouseholdCollection, HouseholdProps, VillageCollection, VillageProps } from '../../../../geo/types.ts'

type RGBA = [number, number, number, number]

// Muted, distinct hues that read on a dark wall; neighbouring ids get far-apart hues.
const PALETTE: RGBA[] = [
  [56, 189, 248, 70], [45, 212, 191, 70], [129, 140, 248, 70], [250, 204, 21, 60], [244, 114, 182, 60],
  [74, 222, 128, 60], [251, 146, 60, 60], [167, 139, 250, 70], [34, 211, 238, 70],
]

/** neighbouring villages never share a colour */
export function villagePalette(villages: VillageCollection): (id: number) => RGBA {
  const colour = colourAdjacent(villages.features.map((f) => ({ id: f.properties.id, ring: outerRings(f.geometry).flat() })), PALETTE.length)
  return (id) => PALETTE[colour.get(id) ?? 0]
}

export const LABEL_FONT = 'Noto Sans CJK SC, Noto Sans SC, sans-serif'
/** how every label on the map is drawn: the local CJK font, outlined against the dark map */
export const LABEL_STYLE = {
  fontFamily: LABEL_FONT,
  characterSet: 'auto',
  outlineWidth: 3,
  outlineColor: [3, 18, 38, 255] as RGBA,
  fontSettings: { sdf: true },
} as const

export interface LayerInput {
  villages: VillageCollection
  grids: GridCollection
  zoom: number
  /** CSS px per design px, so labels keep their design size on any wall */
  scale: number
  hoverVillage: number | null
  selectedVillage: number | null
  selectedGrid: number | null
  households: HouseholdCollection | null
  /** a county's wall at county scope: villages are texture under the towns, not yet clickable */
  countyScope?: boolean
  /** a county's wall inside a town: only that town's villages and grids are coloured and named */
  activeTown?: number | null
}

/** 户况图谱 colours: party member households red, care-group households amber, the rest cyan */
export const HOUSEHOLD_COLOURS: Record<'party' | 'care' | 'normal', RGBA> = {
  party: [239, 68, 68, 235],
  care: [251, 191, 36, 235],
  normal: [34, 211, 238, 215],
}
export function householdSituation(h: HouseholdProps): 'party' | 'care' | 'normal' {
  return h.partyMember ? 'party' : h.careGroup ? 'care' : 'normal'
}

// Label data derived once per loaded collection: a new array on every redraw would make
// deck.gl rebuild the text attributes each time.
const propsOf = new WeakMap<object, unknown[]>()
function propertiesOf<P>(fc: { features: { properties: P }[] }): P[] {
  let list = propsOf.get(fc) as P[] | undefined
  if (!list) propsOf.set(fc, (list = fc.features.map((f) => f.properties)))
  return list
}

/**
 * One town's share of a collection, kept while the collection and the town stay the same: a
 * new array on every redraw would rebuild the layer's attributes each time.
 */
const townCut = new WeakMap<object, { town: number; fc: { type: 'FeatureCollection'; features: unknown[] } }>()
function inTown<C extends { features: { properties: object }[] }>(fc: C, town: number, townOfFeature: (p: C['features'][number]['properties']) => number | undefined): C {
  const hit = townCut.get(fc)
  if (hit?.town === town) return hit.fc as unknown as C
  const cut = { type: 'FeatureCollection' as const, features: fc.features.filter((f) => townOfFeature(f.properties) === town) }
  townCut.set(fc, { town, fc: cut })
  return cut as unknown as C
}

const townsOfVillages = new WeakMap<VillageCollection, Map<number, number>>()
function villageTowns(villages: VillageCollection): Map<number, number> {
  let m = townsOfVillages.get(villages)
  if (!m) townsOfVillages.set(villages, (m = new Map(villages.features.map((f) => [f.properties.id, f.properties.townId]))))
  return m
}

/** each grid's width in degrees of longitude (its extent's), kept per collection */
const gridWidths = new WeakMap<GridCollection, Map<number, number>>()
function widthOf(grids: GridCollection, id: number): number {
  let m = gridWidths.get(grids)
  if (!m) gridWidths.set(grids, (m = new Map(grids.features.map((f) => { const b = bboxOf(f.geometry); return [f.properties.id, b[2] - b[0]] }))))
  return m.get(id) ?? 0
}

/** the zoom a 1920×1080 wall would show the same view at: a 4K wall's map is one zoom step closer for the same extent */
export const designZoom = (zoom: number, scale: number) => zoom - Math.log2(Math.max(scale, 0.25))
/** grid names are drawn from this (design) zoom on: a village's worth of grids on screen */
export const GRID_LABEL_ZOOM = 12.3
export const VILLAGE_LABEL_SIZE = { plain: 18, withGrids: 22 }
const GRID_LABEL_SIZE = 12

/**
 * The place names drawn at this zoom (label-placement.ts): every village's name that does not
 * run into another, then the names of the grids wide enough on screen for them (small grids'
 * names would run into each other) that touch no village name or grid name already placed.
 * Kept per collection and twentieth of a zoom step, so a pan or a glide does not rebuild the
 * layers' attributes.
 */
const placed = new WeakMap<GridCollection, { key: string; villages: VillageCollection; out: [VillageProps[], GridProps[]] }>()
export function labelsAt(villages: VillageCollection, grids: GridCollection, zoom: number, scale: number, villageLabelSize: number, withGrids: boolean): [VillageProps[], GridProps[]] {
  const key = `${Math.round(zoom * 20)}:${scale.toFixed(3)}:${villageLabelSize}:${withGrids}`
  const hit = placed.get(grids)
  if (hit?.key === key && hit.villages === villages) return hit.out
  const pxPerDegree = (512 * 2 ** zoom) / 360
  const villageSize = villageLabelSize * scale
  const gridCandidates = withGrids
    ? propertiesOf(grids)
        .filter((g) => widthOf(grids, g.id) * pxPerDegree > ems(g.name) * GRID_LABEL_SIZE * scale * 1.15)
        .map((g) => ({ item: g, at: g.label, text: g.name, size: GRID_LABEL_SIZE * scale }))
    : []
  const [v, g] = placeLabels<VillageProps | GridProps>(
    [propertiesOf(villages).map((p) => ({ item: p, at: p.label, text: p.name, size: villageSize })), gridCandidates],
    zoom,
    3 * scale,
  )
  const out: [VillageProps[], GridProps[]] = [v as VillageProps[], g as GridProps[]]
  placed.set(grids, { key, villages, out })
  return out
}

let paletteFor: VillageCollection | null = null
let villageColour: (id: number) => RGBA = () => PALETTE[0]

export function townLayers({ villages: allVillages, grids: allGrids, zoom, scale, hoverVillage, selectedVillage, selectedGrid, households, countyScope = false, activeTown = null }: LayerInput): Layer[] {
  if (paletteFor !== allVillages) {
    villageColour = villagePalette(allVillages)
    paletteFor = allVillages
  }
  if (countyScope) return countyTexture(allVillages, scale)
  // a county's wall inside a town draws that town's villages and grids; a town's wall has only its own
  const villages = activeTown === null ? allVillages : inTown(allVillages, activeTown, (p) => p.townId)
  const grids = activeTown === null ? allGrids : inTown(allGrids, activeTown, (p) => villageTowns(allVillages).get(p.villageId))
  const closeUp = designZoom(zoom, scale) >= GRID_LABEL_ZOOM
  // a grid's 户况图谱 has its houses where the grid names would be
  const showGridLabels = closeUp && !households
  const villageSize = closeUp ? VILLAGE_LABEL_SIZE.withGrids : VILLAGE_LABEL_SIZE.plain
  const [villageNames, gridNames] = labelsAt(villages, grids, zoom, scale, villageSize, showGridLabels)
  // Layers that would draw nothing are left out rather than hidden: a hidden layer still
  // compiles its shaders, which costs seconds on a software-rendered wall PC.
  const layers: (Layer | false)[] = [
    new GeoJsonLayer<VillageProps>({
      id: 'villages',
      data: villages as never,
      pickable: true,
      filled: true,
      stroked: true,
      getFillColor: (f) => {
        const c = villageColour(f.properties.id)
        if (selectedVillage !== null && f.properties.id !== selectedVillage) return [c[0], c[1], c[2], 25]
        return f.properties.id === hoverVillage ? [c[0], c[1], c[2], 140] : c
      },
      getLineColor: (f) => (f.properties.id === selectedVillage ? [94, 234, 212, 255] : [125, 211, 252, 230]),
      getLineWidth: (f) => (f.properties.id === selectedVillage ? 4 : 2.2),
      lineWidthUnits: 'pixels',
      lineWidthScale: scale,
      updateTriggers: { getFillColor: [hoverVillage, selectedVillage], getLineColor: selectedVillage, getLineWidth: selectedVillage },
    }),
    new GeoJsonLayer<GridProps>({
      id: 'grids',
      data: grids as never,
      // grids are clicked once a village is open
      pickable: selectedVillage !== null,
      filled: true,
      stroked: true,
      getFillColor: (f) => (f.properties.id === selectedGrid ? [94, 234, 212, 60] : [0, 0, 0, 0]),
      getLineColor: (f) => (f.properties.id === selectedGrid ? [250, 204, 21, 255] : [148, 197, 233, 110]),
      getLineWidth: (f) => (f.properties.id === selectedGrid ? 3 : 0.8),
      autoHighlight: selectedVillage !== null,
      highlightColor: [56, 189, 248, 70],
      updateTriggers: { getFillColor: selectedGrid, getLineColor: selectedGrid, getLineWidth: selectedGrid },
      lineWidthUnits: 'pixels',
      lineWidthScale: scale,
    }),
    !!households && new ScatterplotLayer<{ properties: HouseholdProps; geometry: { coordinates: [number, number] } }>({
      id: 'households',
      data: households.features as never,
      pickable: true,
      getPosition: (d) => d.geometry.coordinates,
      getFillColor: (d) => HOUSEHOLD_COLOURS[householdSituation(d.properties)],
      getLineColor: [3, 18, 38, 255],
      stroked: true,
      lineWidthMinPixels: 1,
      radiusUnits: 'pixels',
      getRadius: 6,
      radiusScale: scale,
    }),
    showGridLabels && new TextLayer<GridProps>({
      id: 'grid-labels',
      data: gridNames,
      getPosition: (d) => d.label,
      getText: (d) => d.name,
      getSize: GRID_LABEL_SIZE,
      sizeScale: scale,
      getColor: [191, 219, 254, 230],
      ...LABEL_STYLE,
    }),
    new TextLayer<VillageProps>({
      id: 'village-labels',
      data: villageNames,
      getPosition: (d) => d.label,
      getText: (d) => d.name,
      getSize: villageSize,
      sizeScale: scale,
      getColor: [255, 255, 255, 255],
      ...LABEL_STYLE,
      fontWeight: 700,
      outlineWidth: 4,
    }),
  ]
  return layers.filter((l): l is Layer => !!l)
}

/** At county zoom the villages are only faint borders inside the towns: 100 and more names would pile up. */
function countyTexture(villages: VillageCollection, scale: number): Layer[] {
  return [
    new GeoJsonLayer<VillageProps>({
      id: 'villages',
      data: villages as never,
      pickable: false,
      filled: false,
      stroked: true,
      getLineColor: [125, 211, 252, 70],
      getLineWidth: 1,
      lineWidthUnits: 'pixels',
      lineWidthScale: scale,
    }),
  ]
}

/** The place-name layers (ids ending in -labels) apart from the areas, to be drawn over the points. */
export function splitLabels(layers: Layer[]): [Layer[], Layer[]] {
  const names = layers.filter((l) => l.id.endsWith('-labels'))
  return [layers.filter((l) => !names.includes(l)), names]
}

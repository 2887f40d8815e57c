import { GeoJsonLayer, TextLayer } from '@deck.gl/layers'
import type { Layer } from '@deck.gl/core'
import { colourAdjacent } from '../../../../geo/map-colouring.ts'
import { outerRings, type Polygonal } from '../../../../geo/polygons.ts'
import type { TownOutlines } from '../../../../geo/towns.ts'
import { LABEL_STYLE } from './layers.ts'

type RGBA = [number, number, number, number]
type TownProps = TownOutlines['features'][number]['properties']

// Brighter than the villages' palette: a town is the unit one clicks at county zoom.
const PALETTE: RGBA[] = [
  [56, 189, 248, 95], [45, 212, 191, 95], [129, 140, 248, 95], [250, 204, 21, 80], [244, 114, 182, 80], [74, 222, 128, 80],
]

/** every vertex of a town's outline, for the colouring's shared-border test */
const ringOf = (g: Polygonal) => outerRings(g).flat()

let colourFor: TownOutlines | null = null
let colourOf: (id: number) => RGBA = () => PALETTE[0]
const labelsFor = new WeakMap<TownOutlines, TownProps[]>()

export interface CountyInput {
  towns: TownOutlines
  /** CSS px per design px */
  scale: number
  /** the county itself is on screen: the towns are what one clicks */
  countyScope: boolean
  /** the town the wall has drilled into (its neighbours fade) */
  activeTown: number | null
}

/**
 * The county's towns under the villages: at county scope filled, labelled and clickable (a
 * click drills into the town); inside a town only their borders, so the neighbours stay
 * recognisable while the town's own villages take the colour.
 */
export function countyLayers({ towns, scale, countyScope, activeTown }: CountyInput): Layer[] {
  if (colourFor !== towns) {
    const colours = colourAdjacent(towns.features.map((f) => ({ id: f.properties.id, ring: ringOf(f.geometry) })), PALETTE.length)
    colourOf = (id) => PALETTE[colours.get(id) ?? 0]
    colourFor = towns
  }
  let labels = labelsFor.get(towns)
  if (!labels) labelsFor.set(towns, (labels = towns.features.map((f) => f.properties)))
  const layers: (Layer | false)[] = [
    new GeoJsonLayer<TownProps>({
      id: 'towns',
      data: towns as never,
      pickable: countyScope,
      filled: countyScope,
      stroked: true,
      getFillColor: (f) => colourOf(f.properties.id),
      getLineColor: (f) => (f.properties.id === activeTown ? [94, 234, 212, 255] : [125, 211, 252, 200]),
      getLineWidth: (f) => (f.properties.id === activeTown ? 4 : 2.5),
      lineWidthUnits: 'pixels',
      lineWidthScale: scale,
      autoHighlight: countyScope,
      highlightColor: [56, 189, 248, 90],
      updateTriggers: { getLineColor: activeTown, getLineWidth: activeTown },
    }),
    // inside a town its neighbours keep their names, smaller, so one sees where one is
    new TextLayer<TownProps>({
      id: 'town-labels',
      data: countyScope ? labels : labels.filter((t) => t.id !== activeTown),
      getPosition: (d) => d.label,
      getText: (d) => d.name,
      getSize: countyScope ? 24 : 16,
      sizeScale: scale,
      getColor: countyScope ? [255, 255, 255, 255] : [191, 219, 254, 170],
      ...LABEL_STYLE,
      fontWeight: 700,
      outlineWidth: 4,
      updateTriggers: { getSize: countyScope, getColor: countyScope },
    }),
  ]
  return layers.filter((l): l is Layer => !!l)
}

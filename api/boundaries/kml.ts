import { SaxesParser } from 'saxes'
import { unreadable } from '../imports/limits.ts'
import type { Polygons } from './geometry.ts'
import type { ReadFeature, ReadLimits } from './read.ts'

/**
 * KML placemarks with polygons (Google Earth, 奥维, 两步路 exports), streamed through saxes:
 * no DOM is built, so a large file costs its features, not a tree of every element. A
 * placemark's name and its ExtendedData (Data/value and SchemaData/SimpleData) are its fields.
 */
export function readKml(xml: string, limits: ReadLimits): ReadFeature[] {
  const parser = new SaxesParser({ xmlns: false })
  const features: ReadFeature[] = []
  const path: string[] = []
  let props: Record<string, string> | null = null
  let polygons: Polygons = []
  let rings: Float64Array[] = []
  let dataName: string | null = null
  let text = ''
  let vertices = 0

  const local = (tag: string) => tag.slice(tag.indexOf(':') + 1)
  parser.on('opentag', (node) => {
    const tag = local(node.name)
    path.push(tag)
    text = ''
    if (tag === 'Placemark') {
      props = {}
      polygons = []
    } else if (tag === 'Polygon') rings = []
    else if ((tag === 'Data' || tag === 'SimpleData') && typeof node.attributes.name === 'string') dataName = node.attributes.name
  })
  parser.on('text', (t) => {
    // only leaf text is kept, and never more than a coordinate list can be
    if (text.length + t.length > limits.maxTextBytes) throw unreadable(`has an element longer than ${limits.maxTextBytes} characters`)
    text += t
  })
  parser.on('cdata', (t) => {
    text += t
  })
  parser.on('closetag', (node) => {
    const tag = local(node.name)
    const parent = path[path.length - 2]
    path.pop()
    if (!props) return
    if (tag === 'name' && parent === 'Placemark') props.name = text.trim()
    else if (tag === 'value' && parent === 'Data' && dataName) props[dataName] = text.trim()
    else if (tag === 'SimpleData' && dataName) props[dataName] = text.trim()
    else if (tag === 'coordinates' && path.includes('Polygon')) {
      const ring = coordinates(text)
      vertices += ring.length / 2
      if (vertices > limits.maxVertices) throw unreadable(`has more than ${limits.maxVertices} vertices (maxVertices)`)
      // outerBoundaryIs comes first in every KML writer's output; a ring after it is a hole
      if (path.includes('outerBoundaryIs')) rings.unshift(ring)
      else rings.push(ring)
    } else if (tag === 'Polygon') {
      if (rings.length) polygons.push(rings)
    } else if (tag === 'Placemark') {
      if (polygons.length) {
        if (features.length >= limits.maxFeatures) throw unreadable(`has more than ${limits.maxFeatures} features (maxFeatures)`)
        features.push({ props, polygons })
      }
      props = null
    }
    text = ''
  })
  try {
    parser.write(xml).close()
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode) throw err
    throw unreadable(`is not readable KML: ${(err as Error).message.split('\n')[0]}`)
  }
  return features
}

function coordinates(text: string): Float64Array {
  const tuples = text.trim().split(/\s+/).filter(Boolean)
  const out = new Float64Array(tuples.length * 2)
  tuples.forEach((t, i) => {
    const [x, y] = t.split(',')
    const lon = Number(x)
    const lat = Number(y)
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw unreadable(`has a coordinate that is not lon,lat: ${t.slice(0, 40)}`)
    out[i * 2] = lon
    out[i * 2 + 1] = lat
  })
  return out
}

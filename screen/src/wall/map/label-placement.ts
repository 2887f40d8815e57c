// Which place names the map draws at a zoom: no two may cover each other. Village names come
// first, grid names fill the room left between them. deck.gl's TextLayer draws every label it is
// given (its collision filter is in @deck.gl/extensions, which this project does not ship, and
// maplibre's own symbol collision needs a glyph server the offline wall does not have), so the
// labels are chosen here, greedily, in world pixels: the distance between two labels on a
// north-up Web Mercator map depends only on the zoom, so a pan keeps the choice.

export interface LabelCandidate<T> {
  item: T
  /** [lon, lat] of the label's centre */
  at: readonly [number, number]
  text: string
  /** font size in CSS px as drawn (design size × scale) */
  size: number
}

/** a label's width in ems: CJK characters one each, digits and letters about 0.6 */
export const ems = (s: string): number => [...s].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 1 : 0.6), 0)

/** world pixels at `zoom` (512 px a world at zoom 0, as maplibre's) */
export function worldPixel([lon, lat]: readonly [number, number], zoom: number): [number, number] {
  const world = 512 * 2 ** zoom
  const s = Math.sin((Math.max(-85, Math.min(85, lat)) * Math.PI) / 180)
  return [((lon + 180) / 360) * world, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world]
}

interface Box {
  l: number
  t: number
  r: number
  b: number
}

/**
 * Keeps, from each group in turn (most important first), the labels whose boxes touch none
 * already kept. `gap` (px) is the air kept around each label: its outline and some room.
 */
export function placeLabels<T>(groups: readonly (readonly LabelCandidate<T>[])[], zoom: number, gap: number): T[][] {
  const kept: Box[] = []
  // a coarse grid of cells over world pixels, so each label is tested against its neighbours only
  const CELL = 256
  const cells = new Map<string, Box[]>()
  const cellsOf = (b: Box) => {
    const keys: string[] = []
    for (let x = Math.floor(b.l / CELL); x <= Math.floor(b.r / CELL); x++) for (let y = Math.floor(b.t / CELL); y <= Math.floor(b.b / CELL); y++) keys.push(`${x}:${y}`)
    return keys
  }
  return groups.map((group) => {
    const out: T[] = []
    for (const c of group) {
      const [x, y] = worldPixel(c.at, zoom)
      const halfW = (ems(c.text) * c.size) / 2 + gap
      const halfH = (c.size * 1.2) / 2 + gap
      const box = { l: x - halfW, t: y - halfH, r: x + halfW, b: y + halfH }
      const keys = cellsOf(box)
      const clash = keys.some((k) => cells.get(k)?.some((o) => o.l < box.r && box.l < o.r && o.t < box.b && box.t < o.b))
      if (clash) continue
      kept.push(box)
      for (const k of keys) {
        const list = cells.get(k)
        if (list) list.push(box)
        else cells.set(k, [box])
      }
      out.push(c.item)
    }
    return out
  })
}

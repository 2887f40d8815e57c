// The part of the map a person can see: the map's box less the panels docked over it (orders and
// legend bottom left, trucks bottom right, breadcrumb, tour chip and data time along the top).
// A scope fitted to the whole map box sat partly under those panels: at town scope the southern
// villages could not be clicked.

export interface Rect {
  left: number
  top: number
  right: number
  bottom: number
}
export interface Padding {
  top: number
  right: number
  bottom: number
  left: number
}

const hits = (a: Rect, b: Rect) => Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top)

/**
 * The padding that fits an area of the given shape (width ÷ height, in screen pixels at any zoom)
 * as large as it can be inside the map box `w`×`h` without touching any panel (rects in the map
 * box's own pixels), with `margin` around it.
 *
 * Every free rectangle worth having is bounded by the map's edges or the panels' edges, so those
 * few candidates (at most (n+1)⁴ for n panels) are tried: the one in which the area is drawn
 * largest wins, the larger rectangle on a tie. With no room left at all (a tiny window), the
 * whole box with its margin.
 */
export function visiblePadding(w: number, h: number, panels: readonly Rect[], aspect: number, margin: number): Padding {
  const inBox = panels
    .map((p) => ({ left: Math.max(0, p.left), top: Math.max(0, p.top), right: Math.min(w, p.right), bottom: Math.min(h, p.bottom) }))
    .filter((p) => p.right > p.left && p.bottom > p.top)
  const lefts = [0, ...inBox.map((p) => p.right)]
  const rights = [w, ...inBox.map((p) => p.left)]
  const tops = [0, ...inBox.map((p) => p.bottom)]
  const bottoms = [h, ...inBox.map((p) => p.top)]
  const shape = aspect > 0 && Number.isFinite(aspect) ? aspect : 1
  let best: { r: Rect; size: number; area: number } | null = null
  for (const left of lefts) {
    for (const right of rights) {
      if (right - left <= 2 * margin) continue
      for (const top of tops) {
        for (const bottom of bottoms) {
          if (bottom - top <= 2 * margin) continue
          const r = { left, top, right, bottom }
          if (inBox.some((p) => hits(r, p))) continue
          // how wide the area is drawn in this rectangle (limited by its width or its height)
          const size = Math.min(right - left - 2 * margin, (bottom - top - 2 * margin) * shape)
          const area = (right - left) * (bottom - top)
          if (!best || size > best.size + 0.5 || (Math.abs(size - best.size) <= 0.5 && area > best.area)) best = { r, size, area }
        }
      }
    }
  }
  const r = best?.r ?? { left: 0, top: 0, right: w, bottom: h }
  return { left: r.left + margin, top: r.top + margin, right: w - r.right + margin, bottom: h - r.bottom + margin }
}

/** an extent's shape on a Web Mercator map: width ÷ height in screen pixels (the same at every zoom) */
export function mercatorAspect([minLon, minLat, maxLon, maxLat]: readonly number[]): number {
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))
  const dx = ((maxLon - minLon) * Math.PI) / 180
  const dy = y(maxLat) - y(minLat)
  return dy > 0 ? dx / dy : 1
}

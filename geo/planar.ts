// Planar geometry on rings of [x, y] points (metres or degrees). A ring here is open:
// the first point is not repeated at the end.
export type Pt = [number, number]
export type Ring = Pt[]

/** positive for counter-clockwise rings */
export function signedArea(ring: Ring): number {
  let a = 0
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[(i + 1) % n]
    a += x1 * y2 - x2 * y1
  }
  return a / 2
}

export function centroid(ring: Ring): Pt {
  let cx = 0
  let cy = 0
  let a = 0
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i]
    const [x2, y2] = ring[(i + 1) % n]
    const f = x1 * y2 - x2 * y1
    cx += (x1 + x2) * f
    cy += (y1 + y2) * f
    a += f
  }
  return [cx / (3 * a), cy / (3 * a)]
}

export function pointInRing(p: Pt, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export function distanceToSegment(p: Pt, a: Pt, b: Pt): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const len2 = dx * dx + dy * dy
  let t = len2 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0
  t = Math.max(0, Math.min(1, t))
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))
}

export function distanceToRing(p: Pt, ring: Ring): number {
  let d = Infinity
  for (let i = 0; i < ring.length; i++) d = Math.min(d, distanceToSegment(p, ring[i], ring[(i + 1) % ring.length]))
  return d
}

/** inside the ring and at least `margin` from its boundary */
export function insideWithMargin(p: Pt, ring: Ring, margin: number): boolean {
  return pointInRing(p, ring) && distanceToRing(p, ring) >= margin
}

function orient(a: Pt, b: Pt, c: Pt): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

function segmentsCross(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const o1 = orient(a, b, c)
  const o2 = orient(a, b, d)
  const o3 = orient(c, d, a)
  const o4 = orient(c, d, b)
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true
  // touching or collinear overlap also makes a ring invalid
  const on = (p: Pt, q: Pt, r: Pt) =>
    Math.min(p[0], q[0]) <= r[0] && r[0] <= Math.max(p[0], q[0]) && Math.min(p[1], q[1]) <= r[1] && r[1] <= Math.max(p[1], q[1])
  return (o1 === 0 && on(a, b, c)) || (o2 === 0 && on(a, b, d)) || (o3 === 0 && on(c, d, a)) || (o4 === 0 && on(c, d, b))
}

/** A simple ring: at least 3 distinct points, no repeated point, no two non-adjacent edges touching. */
export function isSimpleRing(ring: Ring): boolean {
  const n = ring.length
  if (n < 3) return false
  const seen = new Set<string>()
  for (const p of ring) {
    const k = p[0] + ',' + p[1]
    if (seen.has(k)) return false
    seen.add(k)
  }
  for (let i = 0; i < n; i++) {
    const a = ring[i]
    const b = ring[(i + 1) % n]
    for (let j = i + 1; j < n; j++) {
      if (j === i || (j + 1) % n === i || j === (i + 1) % n) continue
      if (segmentsCross(a, b, ring[j], ring[(j + 1) % n])) return false
    }
  }
  return Math.abs(signedArea(ring)) > 0
}

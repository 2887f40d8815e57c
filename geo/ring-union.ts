import type { Pt, Ring } from './planar.ts'

const key = (p: Pt) => p[0] + ',' + p[1]

/**
 * Union of polygons that share edges with bit-identical vertices, by cancelling every
 * edge that appears in both directions: exact, with no floating-point clipping, so a
 * village built from its grids is equal to their union by construction.
 * Returns the boundary rings (one for a simply connected union).
 */
export function unionByEdgeCancellation(rings: Ring[]): Ring[] {
  const edges = new Map<string, [Pt, Pt]>()
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const a = ring[i]
      const b = ring[(i + 1) % ring.length]
      const reverse = key(b) + '>' + key(a)
      if (edges.has(reverse)) edges.delete(reverse)
      else edges.set(key(a) + '>' + key(b), [a, b])
    }
  }
  const next = new Map<string, Pt[]>()
  for (const [a, b] of edges.values()) {
    const list = next.get(key(a)) ?? []
    list.push(b)
    next.set(key(a), list)
  }
  const out: Ring[] = []
  const used = new Set<string>()
  for (const [a, b] of edges.values()) {
    const k = key(a) + '>' + key(b)
    if (used.has(k)) continue
    const ring: Ring = []
    let cur = a
    let nxt = b
    for (;;) {
      used.add(key(cur) + '>' + key(nxt))
      ring.push(cur)
      cur = nxt
      if (key(cur) === key(a)) break
      const cands = (next.get(key(cur)) ?? []).filter((p) => !used.has(key(cur) + '>' + key(p)))
      if (cands.length !== 1) throw new Error('union boundary is not a set of simple rings (pinch point)')
      nxt = cands[0]
    }
    out.push(ring)
  }
  return out
}

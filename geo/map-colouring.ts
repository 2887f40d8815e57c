import type { Position } from 'geojson'

/**
 * Greedy graph colouring of polygons that share boundary vertices, so neighbouring
 * villages never get the same colour on the map. Our villages share bit-identical
 * vertices along common borders, so sharing two or more vertices means adjacency.
 */
export function colourAdjacent(rings: { id: number; ring: Position[] }[], colours: number): Map<number, number> {
  const owners = new Map<string, Set<number>>()
  for (const { id, ring } of rings) {
    for (const p of ring) {
      const k = p[0] + ',' + p[1]
      let set = owners.get(k)
      if (!set) owners.set(k, (set = new Set()))
      set.add(id)
    }
  }
  const shared = new Map<string, number>()
  for (const set of owners.values()) {
    if (set.size < 2) continue
    const ids = [...set]
    for (const a of ids) for (const b of ids) if (a < b) shared.set(a + ':' + b, (shared.get(a + ':' + b) ?? 0) + 1)
  }
  const neighbours = new Map<number, Set<number>>(rings.map((r) => [r.id, new Set()]))
  for (const [pair, n] of shared) {
    if (n < 2) continue
    const [a, b] = pair.split(':').map(Number)
    neighbours.get(a)!.add(b)
    neighbours.get(b)!.add(a)
  }
  // most-constrained first (Welsh–Powell)
  const order = [...rings.map((r) => r.id)].sort((a, b) => neighbours.get(b)!.size - neighbours.get(a)!.size || a - b)
  const colour = new Map<number, number>()
  for (const id of order) {
    const used = new Set([...neighbours.get(id)!].map((n) => colour.get(n)))
    let c = 0
    while (used.has(c) && c < colours - 1) c++
    colour.set(id, c)
  }
  return colour
}

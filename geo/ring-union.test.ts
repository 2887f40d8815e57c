import { describe, expect, it } from 'vitest'
import { unionByEdgeCancellation } from './ring-union.ts'
import { isSimpleRing, signedArea, type Ring } from './planar.ts'

describe('union by edge cancellation', () => {
  it('merges two squares sharing an edge into one ring with the summed area', () => {
    const a: Ring = [[0, 0], [1, 0], [1, 1], [0, 1]]
    const b: Ring = [[1, 0], [2, 0], [2, 1], [1, 1]]
    const u = unionByEdgeCancellation([a, b])
    expect(u).toHaveLength(1)
    expect(signedArea(u[0])).toBeCloseTo(2)
    expect(isSimpleRing(u[0])).toBe(true)
  })
  it('keeps disjoint pieces apart', () => {
    const a: Ring = [[0, 0], [1, 0], [1, 1], [0, 1]]
    const b: Ring = [[5, 0], [6, 0], [6, 1], [5, 1]]
    expect(unionByEdgeCancellation([a, b])).toHaveLength(2)
  })
})

describe('simple rings', () => {
  it('rejects a bow tie', () => {
    expect(isSimpleRing([[0, 0], [1, 1], [1, 0], [0, 1]])).toBe(false)
  })
  it('accepts a square', () => {
    expect(isSimpleRing([[0, 0], [1, 0], [1, 1], [0, 1]])).toBe(true)
  })
})

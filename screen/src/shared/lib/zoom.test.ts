import { describe, expect, it } from 'vitest'
import { clampPan, FITTED, MAX_SCALE, panBy, zoomAt } from './zoom.ts'

const box: [number, number] = [800, 600]

describe('photo viewer zoom', () => {
  it('keeps the point under the cursor still while zooming', () => {
    const p: [number, number] = [200, -100]
    const v = zoomAt(FITTED, 2, p, box)
    // picture point under p before: (p − t) / s = (200, −100); after: t' + s'·q must be p again
    expect(v.x + v.scale * 200).toBeCloseTo(200)
    expect(v.y + v.scale * -100).toBeCloseTo(-100)
    const w = zoomAt(v, 3, p, box)
    expect(w.x + w.scale * ((p[0] - v.x) / v.scale)).toBeCloseTo(200)
  })

  it('zooms between the fitted picture and 8×, and back to fitted centred', () => {
    expect(zoomAt(FITTED, 0.2, [0, 0], box)).toEqual({ scale: 1, x: 0, y: 0 })
    expect(zoomAt(FITTED, 50, [0, 0], box).scale).toBe(MAX_SCALE)
    const far = zoomAt(FITTED, 4, [390, 290], box)
    expect(zoomAt(far, 1, [0, 0], box)).toEqual({ scale: 1, x: 0, y: 0 })
  })

  it('never pans the picture off its stage', () => {
    expect(panBy(FITTED, 300, 300, box)).toEqual({ scale: 1, x: 0, y: 0 })
    expect(panBy({ scale: 2, x: 0, y: 0 }, 5000, -5000, box)).toEqual({ scale: 2, x: 400, y: -300 })
    expect(clampPan({ scale: 3, x: 100, y: -50 }, box)).toEqual({ scale: 3, x: 100, y: -50 })
  })
})

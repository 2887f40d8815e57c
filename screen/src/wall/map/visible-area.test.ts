import { describe, expect, it } from 'vitest'
import { mercatorAspect, visiblePadding } from './visible-area.ts'

// the wall's map at 1920×1080: ~1000×1000 px, orders and legend docked bottom left, trucks bottom right
const W = 1000
const H = 1000
const orders = { left: 16, top: 420, right: 448, bottom: 984 }
const trucks = { left: 568, top: 640, right: 984, bottom: 984 }
const crumb = { left: 400, top: 12, right: 600, bottom: 52 }

describe('visiblePadding', () => {
  it('keeps a wide area clear of the panels docked in both lower corners', () => {
    const p = visiblePadding(W, H, [orders, trucks, crumb], 2, 10)
    const area = { left: p.left, top: p.top, right: W - p.right, bottom: H - p.bottom }
    for (const panel of [orders, trucks, crumb]) {
      const overlaps = Math.min(area.right, panel.right) > Math.max(area.left, panel.left) && Math.min(area.bottom, panel.bottom) > Math.max(area.top, panel.top)
      expect(overlaps).toBe(false)
    }
    // above the orders' panel, under the breadcrumb, as wide as the map
    expect(p).toEqual({ left: 10, top: 62, right: 10, bottom: H - 420 + 10 })
  })

  it('puts a tall area beside the orders, where it is drawn larger than above them', () => {
    const p = visiblePadding(W, H, [orders], 0.4, 10)
    expect(p.left).toBe(448 + 10)
    expect(p.top).toBe(10)
    expect(p.bottom).toBe(10)
  })

  it('ignores panels outside the map and keeps the whole box when none is docked', () => {
    expect(visiblePadding(W, H, [{ left: 1200, top: 0, right: 1400, bottom: 100 }], 1, 20)).toEqual({ left: 20, top: 20, right: 20, bottom: 20 })
  })
})

describe('mercatorAspect', () => {
  it('is wider than the degrees say away from the equator (35°N: a degree of latitude is ~1.22 of longitude on screen)', () => {
    expect(mercatorAspect([117, 35, 118, 36])).toBeCloseTo(1 / 1.2245, 2)
  })
})

/**
 * The photo viewer's zoom and pan: the picture is fitted to its stage, then scaled about the
 * stage's centre and moved by (x, y) px. Pure functions, so the maths is tested without a browser.
 */
export interface View { scale: number; x: number; y: number }
export const FITTED: View = { scale: 1, x: 0, y: 0 }
export const MIN_SCALE = 1
export const MAX_SCALE = 8

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** a picture never leaves its stage: at scale s it may move (s − 1) half-stages each way */
export function clampPan(v: View, box: [number, number]): View {
  const mx = ((v.scale - 1) * box[0]) / 2
  const my = ((v.scale - 1) * box[1]) / 2
  // `|| 0`: a fitted picture sits at 0, not -0
  return { scale: v.scale, x: clamp(v.x, -mx, mx) || 0, y: clamp(v.y, -my, my) || 0 }
}

/** zoom to `scale` keeping the picture's point under `p` (px from the stage's centre) where it is */
export function zoomAt(v: View, scale: number, p: [number, number], box: [number, number]): View {
  const s = clamp(scale, MIN_SCALE, MAX_SCALE)
  const k = s / v.scale
  return clampPan({ scale: s, x: p[0] - k * (p[0] - v.x), y: p[1] - k * (p[1] - v.y) }, box)
}

export function panBy(v: View, dx: number, dy: number, box: [number, number]): View {
  return clampPan({ scale: v.scale, x: v.x + dx, y: v.y + dy }, box)
}

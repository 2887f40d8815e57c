/**
 * How often the map may redraw for motion alone (trucks gliding between fixes, a replay playing,
 * the map following a truck).
 *
 * A wall PC with a GPU draws a frame in a few milliseconds and gets the full 15 frames a second.
 * A PC without one — township walls are often driven by a fanless mini PC, and Chromium then
 * renders WebGL on the CPU (SwiftShader) — was measured at ~300 ms per frame of this map at
 * 1920×1080. Redrawing that at 15 fps keeps the page's main thread waiting on the GPU process all
 * the time: a click on 转工单 then took 8 s to open the order, and an emergency banner 5 s to show.
 * So the cost of a frame is read from the gap between animation frames after a redraw, and motion
 * redraws are spaced so that drawing takes at most an eighth of the time (SwiftShader draws on every
 * core, so that is a quarter of the PC's CPU); on a slow renderer the map also keeps a followed
 * truck in view rather than in the centre: it jumps only when the truck nears the edge (easing
 * costs a frame per display refresh, and each jump a frame of map and overlay).
 */
export const FASTEST_GAP_MS = 66
const SHARE = 0.12
const SLOWEST_GAP_MS = 2000
/** a frame this slow makes easing pointless: it would show 2–3 frames of a 900 ms ease */
const SLOW_FRAME_MS = 80
/** a display refresh, which every frame takes even when drawing costs nothing */
const REFRESH_MS = 1000 / 60

export class FrameBudget {
  /** what a redraw costs, smoothed (ms) */
  private cost = 0

  /** `gapMs`: from the animation frame that redrew to the first one after the redraw was on screen */
  record(gapMs: number): void {
    if (!Number.isFinite(gapMs) || gapMs < 0) return
    // a background tab's or a sleeping PC's frames can be minutes apart: one such gap says nothing
    const spent = Math.min(Math.max(gapMs - REFRESH_MS, 0), 4 * SLOWEST_GAP_MS)
    this.cost = this.cost === 0 ? spent : this.cost * 0.7 + spent * 0.3
  }

  /** least time between two redraws for motion */
  get gapMs(): number {
    return Math.min(SLOWEST_GAP_MS, Math.max(FASTEST_GAP_MS, this.cost / SHARE))
  }

  /** the renderer is too slow to animate the camera */
  get slow(): boolean {
    return this.cost > SLOW_FRAME_MS
  }

  get frameMs(): number {
    return this.cost
  }
}

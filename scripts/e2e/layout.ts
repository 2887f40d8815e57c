// A page's text as a person sees it: every text box must fit its own box and the containers
// that clip it, and no two text boxes may cover each other. Measured in the page from the
// text's own glyph boxes (Range rects), not the elements' boxes, so a label wider than its
// button, a cell cut off without an ellipsis, or a badge drawn over a heading is caught.
import type { Page } from 'playwright-core'

export interface LayoutProblem {
  kind: 'overflow' | 'clipped' | 'overlap' | 'offscreen'
  text: string
  other?: string
}

/** Text problems on the page now; `scope` limits the check to one element (e.g. an open dialog). */
export async function layoutProblems(page: Page, scope = 'body'): Promise<LayoutProblem[]> {
  return page.evaluate(`(${CHECK})(${JSON.stringify(scope)})`) as Promise<LayoutProblem[]>
}

// Plain JavaScript in a string: the page runs it as written (tsx would wrap named functions in
// a __name helper that does not exist in the page).
const CHECK = String.raw`(scopeSelector) => {
    const problems = []
    const root = document.querySelector(scopeSelector)
    if (!root) return problems
    const TOL = 1.5
    const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom })
    const inside = (a, b) => a.l >= b.l - TOL && a.t >= b.t - TOL && a.r <= b.r + TOL && a.b <= b.b + TOL
    const cut = (a, b) => ({ l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b) })
    const empty = (a) => a.r - a.l < 1 || a.b - a.t < 1
    const label = (el) => (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40)
    const ellipsis = (s) => s.textOverflow === 'ellipsis' && s.overflowX !== 'visible'
    const view = { l: 0, t: 0, r: window.innerWidth, b: window.innerHeight }

    const texts = []
    for (const el of root.querySelectorAll('*')) {
      if (el.closest('select, script, style, svg, canvas, .maplibregl-map .maplibregl-canvas-container')) continue
      const nodes = [...el.childNodes].filter((n) => n.nodeType === 3 && (n.textContent ?? '').trim())
      if (!nodes.length) continue
      const s = getComputedStyle(el)
      const own = el.getBoundingClientRect()
      if (s.visibility === 'hidden' || own.width <= 1 || own.height <= 1) continue // hidden, or screen-reader only
      let full = null
      for (const n of nodes) {
        const range = document.createRange()
        range.selectNodeContents(n)
        for (const r of range.getClientRects()) {
          if (r.width < 0.5) continue
          full = full ? { l: Math.min(full.l, r.left), t: Math.min(full.t, r.top), r: Math.max(full.r, r.right), b: Math.max(full.b, r.bottom) } : box(r)
        }
      }
      if (!full) continue
      // its own box: an inline box is its text; a block or a button must hold it (unless it ends in …)
      if (s.display !== 'inline' && !ellipsis(s) && !inside(full, box(own))) problems.push({ kind: 'overflow', text: label(el) })
      // the containers that clip it: scrolling ones may hide text out of view, nothing else may cut it
      let seen = full
      let fixed = false
      for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
        const as = getComputedStyle(a)
        // a fixed box floats over the page, and a sticky table header over the rows scrolled under it (its background hides them)
        if (as.position === 'fixed' || as.position === 'sticky') fixed = true
        if (as.overflowX === 'visible' && as.overflowY === 'visible') continue
        const ab = box(a.getBoundingClientRect())
        const scrolls = /auto|scroll/.test(as.overflowX + as.overflowY)
        // judged on what inner scrolling boxes still show: a row scrolled half out of its list is not cut off
        if (!scrolls && !(a === el && ellipsis(as)) && !inside(seen, ab) && !empty(cut(seen, ab))) problems.push({ kind: 'clipped', text: label(el) })
        seen = cut(seen, ab)
      }
      seen = cut(seen, view)
      if (empty(seen)) continue
      if (full.l < -TOL || full.r > view.r + TOL) problems.push({ kind: 'offscreen', text: label(el) })
      texts.push({ el, seen, fixed })
    }
    // overlaps between text boxes of different elements (a toast floats over the page by design)
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i]
        const b = texts[j]
        if (a.fixed !== b.fixed || a.el.contains(b.el) || b.el.contains(a.el)) continue
        const c = cut(a.seen, b.seen)
        if (c.r - c.l > 2 && c.b - c.t > 2) problems.push({ kind: 'overlap', text: label(a.el), other: label(b.el) })
      }
    }
    return problems
}`

// Text that a person cannot read: clipped by its box, pushed past the viewport, or drawn over
// other text. Measured in the page on the text itself (Range rects of text nodes), so a label
// overlapping a button's text counts, while text inside its own button does not.
import type { Page } from 'playwright-core'

export interface LayoutProblems {
  /** elements whose text is wider than their box (cut off or scrolled) */
  clipped: string[]
  /** text runs outside the viewport's width (the page scrolls sideways) */
  outside: string[]
  /** pairs of text runs drawn over each other */
  overlapping: string[]
  /** the page is wider than the viewport */
  pageScrollsSideways: boolean
}

/**
 * Checks every visible text node under `root` (default: the whole page). `ignore` is a selector
 * whose subtree is skipped, e.g. a map whose labels are the map engine's business.
 */
export async function layoutProblems(page: Page, root = 'body', ignore = '[data-testid="r-map"], .maplibregl-map'): Promise<LayoutProblems> {
  return page.evaluate(({ root, ignore }) => {
    const top = document.querySelector(root)
    const clipped: string[] = []
    const outside: string[] = []
    const overlapping: string[] = []
    if (!top) return { clipped, outside, overlapping, pageScrollsSideways: false }
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT)
    const runs: { text: string; rect: DOMRect; el: Element }[] = []
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim()
      const el = n.parentElement
      if (!text || !el || el.closest(ignore) || el.closest('script, style, option')) continue
      const style = getComputedStyle(el)
      if (style.visibility === 'hidden' || style.display === 'none' || el.closest('.visually-hidden')) continue
      const range = document.createRange()
      range.selectNodeContents(n)
      for (const rect of range.getClientRects()) if (rect.width > 0.5 && rect.height > 0.5) runs.push({ text: text.slice(0, 24), rect, el })
    }
    const seen = new Set<Element>()
    for (const r of runs) {
      if (r.rect.right > innerWidth + 0.5 || r.rect.left < -0.5) outside.push(r.text)
      // the nearest box that clips: an element whose content is wider or taller than itself
      for (let e: Element | null = r.el; e && e !== document.body; e = e.parentElement) {
        const s = getComputedStyle(e)
        const clips = s.overflowX !== 'visible' || s.textOverflow === 'ellipsis'
        if (clips && !seen.has(e) && (e.scrollWidth > e.clientWidth + 1 || (s.overflowY === 'hidden' && e.scrollHeight > e.clientHeight + 1))) {
          // an input or a textarea scrolls its own text; a scrolling list is meant to scroll vertically
          if (!/^(INPUT|TEXTAREA|SELECT)$/.test(e.tagName) && !(s.overflowY === 'auto' && e.scrollWidth <= e.clientWidth + 1)) {
            seen.add(e)
            clipped.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: ${r.text}`)
          }
        }
        if (clips) break
      }
    }
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const a = runs[i].rect
        const b = runs[j].rect
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left)
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
        // a pixel of touching line boxes is not an overlap
        if (w > 2 && h > 2) overlapping.push(`"${runs[i].text}" × "${runs[j].text}"`)
      }
    }
    return { clipped, outside, overlapping, pageScrollsSideways: document.scrollingElement!.scrollWidth > innerWidth + 1 }
  }, { root, ignore })
}

/** one line for a tally: what is wrong, or nothing */
export function describeLayout(p: LayoutProblems): string {
  return [
    p.clipped.length ? `clipped: ${p.clipped.slice(0, 4).join(' | ')}` : '',
    p.outside.length ? `outside: ${p.outside.slice(0, 4).join(' | ')}` : '',
    p.overlapping.length ? `overlapping: ${p.overlapping.slice(0, 4).join(' | ')}` : '',
    p.pageScrollsSideways ? 'the page scrolls sideways' : '',
  ].filter(Boolean).join('; ')
}

export const layoutClean = (p: LayoutProblems) => !p.clipped.length && !p.outside.length && !p.overlapping.length && !p.pageScrollsSideways

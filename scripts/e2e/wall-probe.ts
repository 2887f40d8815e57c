// What a person sees on the wall, read from the page for the drill scenarios (drill.ts: the
// demo town; county.ts: a county): the breadcrumb, which charts painted, and map places clicked
// where they are drawn.
import type { Page } from 'playwright-core'

/** the breadcrumb's text, whitespace folded */
export async function crumbs(page: Page): Promise<string> {
  return (await page.locator('[data-testid="breadcrumb"]').innerText()).replace(/\s+/g, ' ').trim()
}

/**
 * Whether a chart's element ([data-chart]) holds paint: its canvas has more than 50 painted
 * pixels among every 13th. Page-side source, shared with the bench's watcher
 * (scripts/bench/wall-ready.ts), so the e2e and the bench call a chart drawn alike; a string,
 * because tsx wraps named functions in a helper the page does not have.
 */
export const CHART_PAINTED = `(el) => {
  const c = el.querySelector('canvas')
  if (!c || !c.width || !c.height) return false
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
  let n = 0
  for (let i = 3; i < data.length; i += 4 * 13) if (data[i] > 0) n++
  return n > 50
}`

/** every chart on the page, and the names of those whose canvas has drawn pixels */
export async function drawnCharts(page: Page): Promise<{ total: number; drawn: string[]; blank: string[] }> {
  return page.evaluate(`(() => {
    const painted = ${CHART_PAINTED}
    const all = [...document.querySelectorAll('[data-chart]')]
    const names = all.map((el) => el.dataset.chart)
    const ok = all.map(painted)
    return { total: all.length, drawn: names.filter((_, i) => ok[i]), blank: names.filter((_, i) => !ok[i]) }
  })()`)
}

/** map places (lon/lat) as page points, each with whether a person could click it there: on the map, not under a docked panel, a card or a marker's label */
async function project(page: Page, places: [number, number][]): Promise<{ x: number; y: number; clear: boolean }[]> {
  const box = (await page.locator('[data-testid="map"]').boundingBox())!
  return page.evaluate(({ places, box }) => {
    const m = (window as unknown as { __map: { project(x: [number, number]): { x: number; y: number } } }).__map
    const map = document.querySelector('[data-testid="map"]')!
    return places.map((ll) => {
      const p = m.project(ll)
      const [x, y] = [box.x + p.x, box.y + p.y]
      const hit = document.elementFromPoint(x, y)
      return { x, y, clear: !!hit && map.contains(hit) && p.x > 20 && p.y > 20 && p.x < box.width - 20 && p.y < box.height - 20 }
    })
  }, { places, box })
}

/** click a map position given in lon/lat */
export async function clickLonLat(page: Page, lonlat: [number, number]): Promise<void> {
  const [p] = await project(page, [lonlat])
  await page.mouse.click(p.x, p.y)
}

/** clicks the first of `places` a person could click and returns its index (-1: none is visible) */
export async function clickVisible(page: Page, places: [number, number][]): Promise<number> {
  const points = await project(page, places)
  const i = points.findIndex((p) => p.clear)
  if (i >= 0) await page.mouse.click(points[i].x, points[i].y)
  return i
}

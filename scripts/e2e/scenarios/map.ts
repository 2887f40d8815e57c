// The town map: loads with villages and grids drawn, labels in Chinese, nothing fetched
// from outside the origin, at the three wall sizes the command centres use; the wall's layout
// check at town scope at each size, and the README's screenshot. Run by the drill scenario on
// the wall it opens at each size (a wall load at 6656×1792 costs tens of seconds on a CPU renderer).
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { artifactPath, distinctColours, ROOT, type Tally } from '../harness.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'

export const WALLS = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '3840x2160', width: 3840, height: 2160 },
  { name: '6656x1792', width: 6656, height: 1792 },
]

/** A wall just opened with `#token=` at town scope; `ready`: whether the map said it was drawn, and when. */
export async function townChecks(
  page: Page, tally: Tally, wall: (typeof WALLS)[number],
  ready: { ok: boolean; ms: number }, requests: { foreign: string[]; count: () => number }, errors: string[],
): Promise<void> {
  tally.check(`[${wall.name}] token removed from the address bar`, !page.url().includes('token='), page.url())
  tally.check(`[${wall.name}] map idle with villages and grids`, ready.ok, `${ready.ms} ms after navigation`)
  // deck.gl draws its first frame right after the map's idle; give it one animation frame.
  await page.waitForTimeout(500)
  const png = await page.screenshot({ path: artifactPath(`town-${wall.name}.png`) })
  const mapBox = await page.locator('[data-testid="map"]').boundingBox()
  const mapPng = mapBox ? await page.screenshot({ clip: mapBox }) : png
  const colours = await distinctColours(page, mapPng)
  tally.check(`[${wall.name}] map area has drawn content`, colours > 50, `${colours} distinct colours`)
  const text = await page.locator('[data-testid="title-bar"]').innerText()
  tally.check(`[${wall.name}] title shows the town name`, /店子镇/.test(text) && /数智网格/.test(text))
  const stats = await page.evaluate(() => {
    const m = (window as unknown as { __map?: { getStyle(): { sources: Record<string, unknown> }; loaded(): boolean } }).__map
    return m ? { sources: Object.keys(m.getStyle().sources), loaded: m.loaded() } : null
  })
  tally.check(`[${wall.name}] basemap sources are our own`, !!stats && stats.sources.every((s) => ['town', 'roads'].includes(s)), JSON.stringify(stats?.sources))
  tally.check(`[${wall.name}] zero requests outside the origin`, requests.foreign.length === 0,
    requests.foreign.length ? requests.foreign.slice(0, 5).join(', ') : `${requests.count()} requests, all same-origin`)
  // the layout check at town scope (the walls scenario checks village and grid scopes)
  await page.waitForTimeout(2000) // chart animations
  const problems = await wallLayoutProblems(page)
  const file = artifactPath(`walls-layout-town-${wall.name}.png`)
  await page.screenshot({ path: file })
  tally.check(`[${wall.name}] town: no clipped, wrapped or overlapping text, floating panels opaque`, problems.length === 0, describeProblems(problems))
  // the README's picture: the wall at 1920×1080 with its five panels, as this run drew it
  if (wall === WALLS[0]) copyFileSync(file, join(ROOT, 'screen/docs/screenshot-1920.png'))
  tally.check(`[${wall.name}] no page or console errors on opening`, errors.length === 0, errors.slice(0, 3).join(' | '))
}

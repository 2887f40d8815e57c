// The town map: loads with villages and grids drawn, labels in Chinese, nothing fetched
// from outside the origin, at the three wall sizes the command centres use; the wall's layout
// check at town scope at each size, and the README's screenshot.
import type { Browser } from 'playwright-core'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiLogin, artifactPath, distinctColours, ROOT, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'

export const WALLS = [
  { name: '1920x1080', width: 1920, height: 1080 },
  { name: '3840x2160', width: 3840, height: 2160 },
  { name: '6656x1792', width: 6656, height: 1792 },
]

export async function mapScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  // A wall is pinned with a display-role token in the URL, once.
  const token = await apiLogin(system.origin, 'display')
  for (const wall of WALLS) {
    const context = await browser.newContext({ viewport: { width: wall.width, height: wall.height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    const requests = watchRequests(page, system.origin)
    const errors = watchErrors(page)
    const t0 = Date.now()
    await page.goto(`${system.origin}/#token=${token}`)
    let ready = true
    try {
      await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
    } catch {
      ready = false
    }
    const readyMs = Date.now() - t0
    tally.check(`[${wall.name}] token removed from the address bar`, !page.url().includes('token='), page.url())
    tally.check(`[${wall.name}] map idle with villages and grids`, ready, `${readyMs} ms after navigation`)
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
    tally.check(`[${wall.name}] no page or console errors`, errors.length === 0, errors.slice(0, 3).join(' | '))
    await context.close()
  }
}

// The wall at 1920×1080 and 6656×1792 (3840×2160: the county scenario): the town map's checks (map.ts), then the drill-down town →
// village → grid → household, checking at each level that the five panels drew their charts
// for the new scope, and the layout check (clipped, wrapped, overlapping text) at village scope
// at every size and at grid scope at 1920×1080, where the household legend shows. (A wall takes
// ~10 s to open on a PC without a GPU, so the checks run on the walls this scenario opens anyway.)
import type { Browser, Page } from 'playwright-core'
import { apiLogin, artifactPath, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'
import { townChecks, WALLS } from './map.ts'
import { clickLonLat, crumbs, drawnCharts } from '../wall-probe.ts'

const PANELS = ['党建先锋', '村级事务', '疫网即办', '智慧管理', '法制视野']

const allDrawn = (c: { total: number; drawn: string[] }, min: number) => c.total >= min && c.drawn.length === c.total

async function settle(page: Page) {
  await page.waitForTimeout(1800) // fly-to animation and chart animation
}

async function layoutCheck(page: Page, tally: Tally, wall: (typeof WALLS)[number], scope: string): Promise<void> {
  await page.waitForTimeout(700) // the rest of the charts' animations (2.5 s after the scope changed)
  const problems = await wallLayoutProblems(page)
  await page.screenshot({ path: artifactPath(`walls-layout-${scope}-${wall.name}.png`) })
  tally.check(`walls: [${wall.name}] ${scope}: no clipped, wrapped or overlapping text, floating panels opaque`, problems.length === 0, describeProblems(problems))
}

export async function drillScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const token = await apiLogin(system.origin, 'display')
  const auth = { Authorization: `Bearer ${token}` }
  const villages = (await (await fetch(`${system.origin}/api/villages`, { headers: auth })).json()) as { features: { properties: { id: number; name: string; label: [number, number] } }[] }
  const village = villages.features[7].properties
  const grids = (await (await fetch(`${system.origin}/api/grids?village=${village.id}`, { headers: auth })).json()) as { features: { properties: { id: number; name: string; label: [number, number] } }[] }
  const grid = grids.features[0].properties
  const households = (await (await fetch(`${system.origin}/api/households?grid=${grid.id}`, { headers: auth })).json()) as { features: { geometry: { coordinates: [number, number] } }[] }

  // 3840×2160 is drilled by the county scenario (county → town → village → grid → household,
  // with the layout check at every level): one wall load of this size fewer in CI's budget
  for (const wall of WALLS.filter((w) => w.name !== '3840x2160')) {
    const context = await browser.newContext({ viewport: { width: wall.width, height: wall.height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    const requests = watchRequests(page, system.origin)
    const errors = watchErrors(page)
    const t0 = Date.now()
    await page.goto(`${system.origin}/#token=${token}`)
    const ok = await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).then(() => true, () => false)
    // the map's own checks, the layout check and the README's screenshot (they wait out the chart animations)
    await townChecks(page, tally, wall, { ok, ms: Date.now() - t0 }, requests, errors)
    const text = await page.locator('main').innerText()
    tally.check(`[${wall.name}] five module panels present`, PANELS.every((p) => text.includes(p)))
    const townCharts = await drawnCharts(page)
    tally.check(`[${wall.name}] town: every chart drew`, allDrawn(townCharts, 8), `${townCharts.drawn.length}/${townCharts.total}: ${townCharts.drawn.join(', ')}`)
    await page.screenshot({ path: artifactPath(`drill-1-town-${wall.name}.png`) })

    await clickLonLat(page, village.label)
    await page.waitForFunction((name) => document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), village.name, { timeout: 10_000 }).catch(() => {})
    await settle(page)
    tally.check(`[${wall.name}] village click → village scope`, (await crumbs(page)).includes(village.name), await crumbs(page))
    tally.check(`[${wall.name}] URL holds the scope`, page.url().includes(`scope=village%3A${village.id}`) || page.url().includes(`scope=village:${village.id}`), page.url())
    const villageCharts = await drawnCharts(page)
    tally.check(`[${wall.name}] village: every chart drew`, allDrawn(villageCharts, 7), `${villageCharts.drawn.length}/${villageCharts.total}: ${villageCharts.drawn.join(', ')}`)
    await page.screenshot({ path: artifactPath(`drill-2-village-${wall.name}.png`) })
    await layoutCheck(page, tally, wall, 'village')

    await clickLonLat(page, grid.label)
    await page.waitForFunction((name) => document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), grid.name, { timeout: 10_000 }).catch(() => {})
    await settle(page)
    tally.check(`[${wall.name}] grid click → grid scope`, (await crumbs(page)).includes(grid.name), await crumbs(page))
    const gridCharts = await drawnCharts(page)
    tally.check(`[${wall.name}] grid: every chart drew`, allDrawn(gridCharts, 7), `${gridCharts.drawn.length}/${gridCharts.total}: ${gridCharts.drawn.join(', ')}`)
    await page.screenshot({ path: artifactPath(`drill-3-grid-${wall.name}.png`) })
    if (wall === WALLS[0]) await layoutCheck(page, tally, wall, 'grid')

    await clickLonLat(page, households.features[0].geometry.coordinates)
    const card = page.locator('[data-testid="household-card"]')
    await card.waitFor({ timeout: 10_000 }).catch(() => {})
    const cardText = (await card.isVisible()) ? await card.innerText() : ''
    tally.check(`[${wall.name}] household click → member card, masked`, /\*/.test(cardText) && /户主/.test(cardText), cardText.slice(0, 60))
    await page.screenshot({ path: artifactPath(`drill-4-household-${wall.name}.png`) })

    await page.keyboard.press('Escape') // closes the household card
    await page.locator('[data-testid="household-card"]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {})
    await page.keyboard.press('Escape') // grid → village
    await page
      .waitForFunction((name) => !document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), grid.name, { timeout: 10_000 })
      .catch(() => {})
    const afterEscape = await crumbs(page)
    tally.check(`[${wall.name}] Escape goes back up to the village`, afterEscape.includes(village.name) && !afterEscape.includes(grid.name), afterEscape)
    if (wall === WALLS[0]) {
      // 搜索: a resident by full name jumps to the grid and opens the household, masked
      const other = villages.features[2].properties
      await page.fill('[data-testid="search"] input', other.name)
      const hit = page.locator('[data-testid="search"] li', { hasText: other.name }).first()
      await hit.waitFor({ timeout: 10_000 }).catch(() => {})
      await page.screenshot({ path: artifactPath(`search-${wall.name}.png`) })
      if (await hit.isVisible()) await hit.click()
      await page.waitForFunction((name) => document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), other.name, { timeout: 10_000 }).catch(() => {})
      tally.check(`[${wall.name}] search jumps to the village`, (await crumbs(page)).includes(other.name), await crumbs(page))
    }
    tally.check(`[${wall.name}] drill: zero requests outside the origin`, requests.foreign.length === 0, requests.foreign.slice(0, 3).join(', '))
    tally.check(`[${wall.name}] drill: no page or console errors`, errors.length === 0, errors.slice(0, 3).join(' | '))
    await context.close()
  }
}

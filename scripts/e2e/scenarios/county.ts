// A county's wall (县级指挥中心): a system of three towns, opened by the county's display
// account at 1920×1080 and 3840×2160. It opens on the county (towns on the map, the county's
// name and counts in the title, coverage by town), and a person drills county → town →
// village → grid → household by clicking the map, with the layout check (clipped, wrapped or
// overlapping text) and every chart drawn at each level, then goes back up with Escape. Then
// an admin makes a town's display account in the desk, and its wall is the town's (county-town.ts).
// The system is its own: the fixtures of a three-town county (`npm run fixtures -- --towns 3`,
// the demo's 17 villages shared among three towns), generated once into node_modules/.cache,
// on PostgreSQL when E2E_COUNTY_DATABASE_URL names an empty database (CI), else PGlite.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { apiLogin, artifactPath, ROOT, startSystem, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'
import { WALLS } from './map.ts'
import { clickVisible, crumbs, drawnCharts } from '../wall-probe.ts'
import { townAccountChecks } from './county-town.ts'

const FIXTURES = join(ROOT, 'node_modules/.cache/shuzhi-grid/fixtures-e2e-county')

/** made again when the generator changed since (a set of an older shape fails to load) */
function stale(): boolean {
  const manifest = join(FIXTURES, 'manifest.json')
  if (!existsSync(manifest)) return true
  const made = statSync(manifest).mtimeMs
  const dir = join(ROOT, 'scripts/fixtures')
  return readdirSync(dir).some((f) => f.endsWith('.ts') && statSync(join(dir, f)).mtimeMs > made)
}

function countyFixtures(): string {
  if (stale()) {
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/fixtures/generate.ts'), '--towns', '3', '--out', FIXTURES], { cwd: ROOT, stdio: 'inherit' })
  }
  return FIXTURES
}

type Named = { id: number; name: string; label: [number, number] }
/** one level of the drill: the breadcrumb shows it, the charts drew, the layout holds */
async function level(page: Page, tally: Tally, wall: string, name: string, expectCrumbs: string): Promise<void> {
  await page.waitForFunction((want) => (document.querySelector('[data-testid="breadcrumb"]') as HTMLElement | null)?.innerText.replace(/\s+/g, ' ').includes(want), expectCrumbs, { timeout: 15_000 }).catch(() => {})
  await page.waitForTimeout(2500) // the fly-to and the charts' animations (a chart caught mid-animation overlaps its own labels)
  const at = await crumbs(page)
  tally.check(`county [${wall}] ${name}: breadcrumb ${expectCrumbs}`, at.includes(expectCrumbs), at)
  const { blank } = await drawnCharts(page)
  tally.check(`county [${wall}] ${name}: every chart drew`, blank.length === 0, blank.join(', '))
  const problems = await wallLayoutProblems(page)
  await page.screenshot({ path: artifactPath(`county-${name}-${wall}.png`) })
  tally.check(`county [${wall}] ${name}: no clipped, wrapped or overlapping text`, problems.length === 0, describeProblems(problems))
}

export async function countyScenario(browser: Browser, tally: Tally): Promise<void> {
  const fixtures = countyFixtures()
  const pg = process.env.E2E_COUNTY_DATABASE_URL
  const system = await startSystem({ FIXTURES_DIR: fixtures, PGLITE_SEED: '0', ...(pg ? { DATABASE_URL: pg } : {}) })
  console.log(`county system up on ${pg ? 'PostgreSQL' : 'PGlite'} in ${(system.startupMs / 1000).toFixed(1)} s`)
  try {
    const token = await apiLogin(system.origin, 'display')
    const get = async <T>(path: string) => (await (await fetch(`${system.origin}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as T
    const list = await get<{ county: { name: string }; towns: (Named & { villages: number })[] }>('/api/towns')
    tally.check('county: three towns loaded', list.towns.length === 3, list.towns.map((t) => t.name).join(', '))
    const town = [...list.towns].sort((a, b) => b.villages - a.villages)[0]
    const villages = (await get<{ features: { properties: Named & { townId: number } }[] }>(`/api/villages?town=${town.id}`)).features.map((f) => f.properties)
    const gridsOf = async (village: number) => (await get<{ features: { properties: Named }[] }>(`/api/grids?village=${village}`)).features.map((f) => f.properties)
    const householdsOf = async (grid: number) => (await get<{ features: { geometry: { coordinates: [number, number] } }[] }>(`/api/households?grid=${grid}`)).features.map((f) => f.geometry.coordinates)

    for (const wall of WALLS.slice(0, 2)) {
      const context = await browser.newContext({ viewport: { width: wall.width, height: wall.height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
      const page = await context.newPage()
      const requests = watchRequests(page, system.origin)
      const errors = watchErrors(page)
      await page.goto(`${system.origin}/#token=${token}`)
      const ready = await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).then(() => true, () => false)
      tally.check(`county [${wall.name}] the wall opens and draws its map`, ready)
      const title = (await page.locator('[data-testid="title-bar"]').innerText()).replace(/\s+/g, '')
      tally.check(`county [${wall.name}] the title is the county's, with its towns counted`, title.includes(list.county.name) && title.includes('3个镇'), title)
      tally.check(`county [${wall.name}] the address names no scope: the county is the root`, !page.url().includes('scope='), page.url())
      await level(page, tally, wall.name, 'county', list.county.name)
      const coverage = await page.evaluate(() => document.querySelector('[data-chart="health-coverage"]')?.closest('section')?.textContent ?? '')
      tally.check(`county [${wall.name}] coverage is shown by town`, coverage.includes('各镇'), coverage.slice(0, 60))

      // the town where a person would click it: its name, or else any of its villages
      tally.check(`county [${wall.name}] the town can be clicked`, (await clickVisible(page, [town.label, ...villages.map((v) => v.label)])) >= 0)
      await level(page, tally, wall.name, 'town', `${list.county.name} › ${town.name}`)
      tally.check(`county [${wall.name}] the address holds the town`, page.url().includes(`scope=town%3A${town.id}`), page.url())
      const v = villages[Math.max(0, await clickVisible(page, villages.map((x) => x.label)))]
      await level(page, tally, wall.name, 'village', `${town.name} › ${v.name}`)
      const grids = await gridsOf(v.id)
      const g = grids[Math.max(0, await clickVisible(page, grids.map((x) => x.label)))]
      await level(page, tally, wall.name, 'grid', `${v.name} › ${g.name}`)
      await clickVisible(page, await householdsOf(g.id))
      const card = page.locator('[data-testid="household-card"]')
      await card.waitFor({ timeout: 10_000 }).catch(() => {})
      const cardText = (await card.isVisible()) ? await card.innerText() : ''
      tally.check(`county [${wall.name}] household click → member card, masked`, /\*/.test(cardText) && /户主/.test(cardText), cardText.slice(0, 60))
      await page.screenshot({ path: artifactPath(`county-household-${wall.name}.png`) })

      // Escape: the card, then grid → village → town → county
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Escape')
        await page.waitForTimeout(400)
      }
      await page.waitForFunction((name) => (document.querySelector('[data-testid="breadcrumb"]') as HTMLElement | null)?.innerText.trim() === name, list.county.name, { timeout: 10_000 }).catch(() => {})
      tally.check(`county [${wall.name}] Escape goes back up to the county`, (await crumbs(page)) === list.county.name, await crumbs(page))
      tally.check(`county [${wall.name}] zero requests outside the origin`, requests.foreign.length === 0, requests.foreign.slice(0, 3).join(', '))
      tally.check(`county [${wall.name}] no page or console errors`, errors.length === 0, errors.slice(0, 3).join(' | '))
      await context.close()
    }
    await townAccountChecks(browser, system, tally, town, list.towns.length, list.towns.reduce((n, t) => n + t.villages, 0))
  } finally {
    await system.stop()
  }
}

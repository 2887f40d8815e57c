// A wall left alone: a tour of three scopes goes round; the API killed and started again puts up
// 数据更新中断 within 10 s and takes it down once the wall has caught up; a new build makes the
// open walls reload themselves and come back signed in, in their scope. (The wall's layout check
// at each size and scope runs in the drill scenario, on the walls it opens.)
import type { Browser, Page } from 'playwright-core'
import { apiLogin, artifactPath, type System, type Tally, watchErrors } from '../harness.ts'
import { WALLS } from './map.ts'
import { defineTourAtDesk, displaysAtDesk } from './walls-desk.ts'

type Features = { features: { properties: { id: number; name: string } }[] }
const TOUR = 'e2e巡检'
const DWELL = 10

const crumbs = async (page: Page) => ((await page.locator('[data-testid="breadcrumb"]').innerText().catch(() => '')) || '').replace(/\s+/g, ' ')
const secondsOfDay = (hms: string) => hms.split(':').map(Number).reduce((a, b) => a * 60 + b, 0)
const beijingNow = () => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date())

async function openWall(browser: Browser, system: System, token: string, size: { width: number; height: number }, query = '') {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  const errors = watchErrors(page)
  await page.goto(`${system.origin}/${query}#token=${token}`)
  await page.waitForSelector('body[data-map-ready="1"]', { timeout: 90_000 })
  return { context, page, errors }
}

/**
 * The tour chip's step, sampled every half second for `ms`; for each step, the breadcrumb as it
 * last read before the next step (the panels' answer for a grid can take a moment on a busy PC).
 */
async function watchTour(page: Page, ms: number): Promise<{ step: string; crumbs: string }[]> {
  const seen: { step: string; crumbs: string }[] = []
  const until = Date.now() + ms
  while (Date.now() < until) {
    const step = (await page.locator('[data-testid="tour-chip"]').getAttribute('data-tour-step').catch(() => null)) ?? ''
    const now = await crumbs(page)
    if (step !== '' && seen.at(-1)?.step !== step) seen.push({ step, crumbs: now })
    else if (step !== '' && seen.length) seen[seen.length - 1].crumbs = now
    await page.waitForTimeout(500)
  }
  return seen
}

export async function wallsScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const admin = await apiLogin(system.origin, 'admin')
  const token = await apiLogin(system.origin, 'display')
  const auth = { Authorization: `Bearer ${admin}` }
  const villages = (await (await fetch(`${system.origin}/api/villages`, { headers: auth })).json()) as Features
  const village = villages.features[3].properties
  const grids = (await (await fetch(`${system.origin}/api/grids?village=${village.id}`, { headers: auth })).json()) as Features
  const grid = grids.features[0].properties

  // the admin defines the tour in the desk's 大屏管理
  await defineTourAtDesk(browser, system, tally, TOUR, village, grid, DWELL)

  // 1. the tour goes round
  const touring = await openWall(browser, system, token, WALLS[0], `?tour=${encodeURIComponent(TOUR)}`)
  const page = touring.page
  // three steps and the start of the fourth: the tour came round
  const seen = await watchTour(page, (DWELL * 3 + 6) * 1000)
  const steps = seen.map((s) => s.step).join('→')
  const order = ['0', '1', '2']
  const cycled = seen.length >= 4 && seen.every((s, i) => i === 0 || s.step === order[(order.indexOf(seen[i - 1].step) + 1) % 3])
  tally.check('walls: the tour cycles town → village → grid → town', cycled && new Set(seen.map((s) => s.step)).size === 3, steps)
  const at = (step: string) => seen.find((s) => s.step === step)?.crumbs ?? ''
  tally.check('walls: each step shows its scope', at('1').includes(village.name) && at('2').includes(grid.name) && !at('0').includes(village.name),
    seen.map((s) => `${s.step}: ${s.crumbs}`).join(' | '))
  await page.screenshot({ path: artifactPath('walls-tour-1920x1080.png') })

  // 2. the API killed: the banner within 10 s, with the data's age; back up: it clears, data current
  await system.down('kill')
  const killedAt = Date.now()
  const banner = page.locator('[data-testid="stale-banner"]')
  const socketDown = page.locator('[data-testid="map-asof"].down').waitFor({ timeout: 15_000 }).then(() => Date.now() - killedAt, () => null)
  const bannerUp = await banner.waitFor({ timeout: 15_000 }).then(() => true, () => false)
  const bannerMs = Date.now() - killedAt
  const downMs = await socketDown
  const bannerText = bannerUp ? (await banner.innerText()).replace(/\s+/g, ' ') : ''
  tally.check('walls: API killed → 数据更新中断 within 10 s', bannerUp && bannerMs <= 10_000 && bannerText.includes('数据更新中断') && /秒前|分/.test(bannerText), `socket seen down after ${downMs} ms, banner after ${bannerMs} ms: ${bannerText}`)
  await page.screenshot({ path: artifactPath('walls-stale-1920x1080.png') })
  const upMs = await system.up()
  const upAt = beijingNow()
  const t1 = Date.now()
  const cleared = await banner.waitFor({ state: 'detached', timeout: 60_000 }).then(() => true, () => false)
  const clearMs = Date.now() - t1
  // a panel shows no time while it loads a new scope: the tour may step right as the banner clears
  let asof = await page.locator('[data-testid="panel-asof"]').allInnerTexts()
  for (const until = Date.now() + 10_000; asof.length < 5 && Date.now() < until; ) {
    await page.waitForTimeout(250)
    asof = await page.locator('[data-testid="panel-asof"]').allInnerTexts()
  }
  const current = asof.length >= 5 && asof.every((t) => secondsOfDay(t) >= secondsOfDay(upAt) - 1)
  tally.check('walls: API back → banner clears, panels carry data read after the restart', cleared && current,
    `API up in ${(upMs / 1000).toFixed(1)} s (at ${upAt}); banner gone ${clearMs} ms later; panels' data times ${asof.join(' ')}`)

  // 3. a new build: the touring wall reloads at its next step; a wall without a tour, at a village, once nobody touches it
  const still = await openWall(browser, system, token, WALLS[0], `?scope=village:${village.id}`)
  const builds = async (p: Page) => p.evaluate(() => document.body.dataset.build ?? '')
  const before = [await builds(page), await builds(still.page)]
  for (const p of [page, still.page]) await p.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true))
  const stepBefore = await page.locator('[data-testid="tour-chip"]').getAttribute('data-tour-step')
  await system.down('term')
  await system.up({ BUILD_VERSION: 'e2e-next-build' })
  const reloaded = async (p: Page) =>
    p.waitForFunction(() => !(window as unknown as { __samePage?: boolean }).__samePage && document.body.dataset.build === 'e2e-next-build', null, { timeout: 120_000 }).then(() => true, () => false)
  const t2 = Date.now()
  const [tourReloaded, stillReloaded] = await Promise.all([reloaded(page), reloaded(still.page)])
  const reloadMs = Date.now() - t2
  await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).catch(() => {})
  await still.page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).catch(() => {})
  await page.waitForTimeout(1500)
  const signedIn = async (p: Page) => (await p.locator('[data-testid="login"]').count()) === 0 && (await p.locator('[data-testid="title-bar"]').count()) === 1
  const stepAfter = await page.locator('[data-testid="tour-chip"]').getAttribute('data-tour-step')
  tally.check('walls: new build → the touring wall reloads, signed in, and goes on with its tour', tourReloaded && (await signedIn(page)) && stepAfter !== null && stepAfter !== '',
    `builds ${before[0]} → ${await builds(page)} within ${(reloadMs / 1000).toFixed(1)} s; step ${stepBefore} before, ${stepAfter} after; ${page.url().replace(system.origin, '')}`)
  const stillCrumbs = await crumbs(still.page)
  tally.check('walls: new build → the wall at a village reloads, signed in, in the same village', stillReloaded && (await signedIn(still.page)) && stillCrumbs.includes(village.name),
    `builds ${before[1]} → ${await builds(still.page)}; ${stillCrumbs}; ${still.page.url().replace(system.origin, '')}`)
  tally.check('walls: no page or console errors on the walls', [...touring.errors, ...still.errors].filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket/.test(e)).length === 0,
    [...touring.errors, ...still.errors].slice(0, 3).join(' | '))
  // 4. the displays the walls reported: a reloaded wall reports 5 s after it started (and after
  // sampling its frame rate), so the walls stay open until both reports are in, or 30 s
  type Display = { displayId: string; online: boolean; tour: string | null; version: string; width: number }
  const readDisplays = async () => (await (await fetch(`${system.origin}/api/displays`, { headers: auth })).json()) as Display[]
  // walls opened by earlier scenarios are in the list too, gone quiet on the old build
  const renewedOf = (list: Display[]) => list.filter((d) => d.version === 'e2e-next-build')
  let displays = await readDisplays()
  for (const until = Date.now() + 30_000; renewedOf(displays).length < 2 && Date.now() < until; ) {
    await page.waitForTimeout(1000)
    displays = await readDisplays()
  }
  const renewed = renewedOf(displays)
  await touring.context.close()
  await still.context.close()
  tally.check('walls: both walls reported, the touring one with its tour, on the new build', renewed.length === 2 && renewed.some((d) => d.tour === TOUR) && renewed.every((d) => d.online),
    displays.map((d) => `${d.displayId} ${d.tour ?? '-'} ${d.version} ${d.width}`).join('; '))
  await displaysAtDesk(browser, system, tally, TOUR)
}

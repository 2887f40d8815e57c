// Issue 29, the wall's map (engineer E): what a person trips over on the wall, from the screens.
// 29.9   the scope fitted to the map no panel covers (town and village), no two place names
//        covering each other (1920×1080, 3840×2160, 6656×1792 once), and 加载中 instead of the old
//        scope's figures under a new breadcrumb;
// 29.10  twelve 张* search rows told apart, the found house marked and in view;
// 29.11  the desk's order map shows a place, not raw longitude and latitude;
// 29.13  an order on the wall opens in the desk (在工作台办理), the desk opens the wall at the
//        order's grid (在大屏查看); a wall's display account has no desk link.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { apiLogin, artifactPath, ROOT, signIn, type System, type Tally, watchErrors } from '../harness.ts'
import { describeProblems, fittedMapProblems, mapLabelProblems } from '../wall-layout.ts'
import { crumbs } from '../wall-probe.ts'
import { WALLS } from './map.ts'

type Wall = (typeof WALLS)[number]

/** the full name most residents share in the demo (the search finds people by full name) */
function commonName(): string {
  const counts = new Map<string, number>()
  const text = gunzipSync(readFileSync(`${ROOT}fixtures/residents.ndjson.gz`)).toString('utf8')
  for (const line of text.split('\n')) {
    const m = /"name":"([^"]+)"/.exec(line)
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]
}

async function openWall(browser: Browser, system: System, wall: Wall, user: string, path = '/'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: wall.width, height: wall.height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  const errors = watchErrors(page)
  await signIn(page, system.origin, user, path)
  await page.waitForSelector('body[data-map-ready="1"]', { timeout: 90_000 })
  return { page, errors }
}

/** the map came to rest after a fit (maplibre's own word) */
const mapAtRest = (page: Page) => page.waitForFunction(() => {
  const m = (window as unknown as { __map?: { isMoving(): boolean; loaded(): boolean } }).__map
  return !!m && !m.isMoving() && m.loaded()
}, undefined, { timeout: 20_000 })

/** 29.9 at one size: the scope's features clear of the docked panels, place names apart */
async function mapChecks(page: Page, tally: Tally, wall: Wall, where: string): Promise<void> {
  await mapAtRest(page)
  await page.waitForTimeout(600) // the refit after the panels took their size (300 ms debounce) and deck.gl's next frame
  await mapAtRest(page)
  const hidden = await fittedMapProblems(page)
  tally.check(`29.9 [${wall.name}] ${where}: no feature of the scope under a docked panel`, hidden.length === 0, describeProblems(hidden))
  const labels = await mapLabelProblems(page)
  tally.check(`29.9 [${wall.name}] ${where}: no two place names cover each other`, labels.length === 0, describeProblems(labels))
  await page.screenshot({ path: artifactPath(`daily-wall-${where}-${wall.name}.png`) })
}

export async function dailyWallScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const step = async (name: string, run: () => Promise<void>) => {
    console.log(`  · ${name}`)
    try {
      await run()
    } catch (err) {
      tally.check(`${name}: ran to the end`, false, (err as Error).stack ?? String(err))
    }
  }
  const auth = { Authorization: `Bearer ${await apiLogin(system.origin, 'display')}` }
  const villages = (await (await fetch(`${system.origin}/api/villages`, { headers: auth })).json()) as
    { features: { properties: { id: number; name: string; label: [number, number] } }[] }
  // the southernmost village: the docked panels sit over the map's lower corners
  const village = villages.features.map((f) => f.properties).sort((a, b) => a.label[1] - b.label[1])[0]

  const wall = WALLS[0]
  const { page, errors } = await openWall(browser, system, wall, 'dispatcher')

  await step('29.9 地图适配可见区域、地名不重叠、切换范围时加载中', async () => {
    await mapChecks(page, tally, wall, 'town')
    // the village's figures held back, so the moment between the new breadcrumb and its figures can be looked at
    let release: () => void = () => {}
    const held = new Promise<void>((r) => (release = r))
    await page.route(`**/api/stats?scope=village*`, async (route) => {
      await held
      await route.continue().catch(() => {})
    })
    const before = await page.locator('[data-testid="population-key-groups"]').innerText().catch(() => '')
    await page.locator('[data-testid="search"] input').fill(village.name)
    await page.locator(`[data-testid="hit-village-${village.id}"]`).click()
    await page.waitForFunction((name) => document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), village.name, { timeout: 10_000 })
    const loading = await page.locator('[data-testid="panel-loading"]').count()
    const oldShown = await page.locator('[data-testid="population-key-groups"]').isVisible()
    tally.check('29.9 a new scope: its panels say 加载中, the old scope\'s figures hidden', loading >= 5 && !oldShown, `${loading} panels loading, old figures ${oldShown ? `shown (${before})` : 'hidden'}`)
    await page.screenshot({ path: artifactPath(`daily-wall-loading-${wall.name}.png`) })
    release() // the route stays: every later request passes at once
    await page.locator('[data-testid="panel-loading"]').first().waitFor({ state: 'detached', timeout: 20_000 })
    tally.check('29.9 the village\'s figures arrive and the loading state clears', (await page.locator('[data-testid="panel-loading"]').count()) === 0)
    await mapChecks(page, tally, wall, 'village')
  })

  await step('29.10 搜索结果可区分，找到的住户在地图上标出', async () => {
    const name = commonName()
    const box = page.locator('[data-testid="search"] input')
    await box.fill(name)
    const rows = page.locator('[data-testid^="hit-resident-"]')
    await rows.first().waitFor({ timeout: 10_000 })
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
    const distinct = new Set(texts).size
    tally.check(`29.10 residents named ${name}: rows can be told apart (age band, household)`, texts.length >= 3 && distinct > texts.length / 2 && texts.every((t) => /岁/.test(t) && /[组号]/.test(t)),
      `${distinct} distinct of ${texts.length}: ${texts.slice(0, 3).join(' | ')}`)
    await page.screenshot({ path: artifactPath(`daily-wall-search-${wall.name}.png`) })
    await rows.first().click()
    await page.locator('[data-testid="household-card"]').waitFor({ timeout: 15_000 })
    const marker = page.locator('[data-testid="house-marker"]')
    await marker.waitFor({ timeout: 15_000 })
    await mapAtRest(page)
    const seen = await page.evaluate(() => {
      const m = document.querySelector('[data-testid="house-marker"]')!.getBoundingClientRect()
      const x = m.left + m.width / 2
      const y = m.top + m.height / 2
      const map = document.querySelector('[data-testid="map"]')!.getBoundingClientRect()
      const over = ['legend', 'work-order-panel', 'vehicle-panel', 'household-card', 'breadcrumb'].filter((id) => {
        const r = document.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect()
        return r && x >= r.left && x <= r.right && y >= r.top && y <= r.bottom
      })
      return { inMap: x > map.left && x < map.right && y > map.top && y < map.bottom, over }
    })
    tally.check('29.10 the found house is marked (pulsing ring) in the visible map, under no panel', seen.inMap && seen.over.length === 0, JSON.stringify(seen))
    await page.screenshot({ path: artifactPath(`daily-wall-found-${wall.name}.png`) })
    await page.keyboard.press('Escape')
  })

  await step('29.13 大屏工单在工作台办理，工作台在大屏查看', async () => {
    await page.locator('[data-testid^="feed-"]').first().click()
    const link = page.locator('[data-testid="wall-open-desk"]')
    await link.waitFor({ timeout: 10_000 })
    const href = (await link.getAttribute('href')) ?? ''
    const id = Number(/#\/order\/(\d+)/.exec(href)?.[1])
    tally.check('29.13 an order on the wall offers 在工作台办理 (the desk\'s order page)', id > 0 && !href.includes('token'), href)
    const [desk] = await Promise.all([page.context().waitForEvent('page'), link.click()])
    await desk.setViewportSize({ width: 1366, height: 768 })
    const title = desk.locator('[data-testid="desk-order-title"]')
    await title.waitFor({ timeout: 30_000 })
    tally.check('29.13 the desk opens that order, already signed in', (await title.innerText()).includes(String(id)), await title.innerText())
    await desk.locator('[data-testid="desk-order-map"][data-ready="1"]').waitFor({ timeout: 30_000 }).catch(() => {})
    const caption = await desk.locator('[data-testid="desk-order-map"] .caption').innerText()
    const place = await desk.locator('[data-testid="desk-order-place"]').innerText()
    tally.check('29.11 the desk\'s order page names the place, no raw longitude/latitude', !/\d{2,3}\.\d{4,}/.test(caption + place) && /村|网格/.test(place), `${place} | ${caption}`)
    await desk.screenshot({ path: artifactPath('daily-wall-desk-order-1366x768.png') })
    const wallLink = desk.locator('[data-testid="desk-open-wall"]')
    const wallHref = (await wallLink.getAttribute('href')) ?? ''
    tally.check('29.13 the desk links to the wall at the order\'s grid, no token in the link', /^\/\?scope=grid:\d+$/.test(wallHref), wallHref)
    const [wall2] = await Promise.all([desk.context().waitForEvent('page'), wallLink.click()])
    // the breadcrumb answers from the map's geography: no need to wait for the whole wall to draw
    await wall2.waitForFunction(() => /网格/.test(document.querySelector('[data-testid="breadcrumb"]')?.textContent ?? ''), undefined, { timeout: 15_000 })
    tally.check('29.13 the wall opens at that grid (the same sign-in)', /网格/.test(await crumbs(wall2)), await crumbs(wall2))
    await wall2.close()
    await desk.close()
  })
  tally.check('29 wall (1920×1080, dispatcher): no page or console errors', errors.length === 0, errors.slice(0, 3).join(' | '))
  await page.context().close()

  await step('29.11 群众上报位置显示地名', async () => {
    // the phone stands at the first house of the demo (its point: fixtures/households, never moved)
    const first = gunzipSync(readFileSync(`${ROOT}fixtures/households.ndjson.gz`)).toString('utf8').split('\n', 1)[0]
    const [lon, lat] = /POINT\(([\d.]+) ([\d.]+)\)/.exec(first)!.slice(1).map(Number)
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', hasTouch: true, isMobile: true,
      geolocation: { longitude: lon + 0.0002, latitude: lat }, permissions: ['geolocation'],
    })
    const r = await context.newPage()
    await r.goto(`${system.origin}/r/`)
    await r.waitForSelector('[data-testid="r-map"][data-ready="1"]', { timeout: 30_000 })
    await r.click('[data-testid="r-locate"]')
    await r.waitForFunction(() => /附近/.test(document.querySelector('[data-testid="r-place"]')?.textContent ?? ''), undefined, { timeout: 15_000 }).catch(() => {})
    const text = (await r.locator('[data-testid="r-place"]').innerText()).trim()
    tally.check('29.11 a resident\'s point reads as a place (the nearest street, no house number), not longitude/latitude', /组附近/.test(text) && !/\d+\.\d{4,}/.test(text) && !/\d+号/.test(text), text)
    await r.screenshot({ path: artifactPath('daily-wall-resident-place-390x844.png') })
    await context.close()
  })

  // the display account at 4K (signed in through the form), once at the widest wall
  for (const big of [WALLS[1], WALLS[2]]) {
    await step(`29.9 [${big.name}] 地图适配与地名`, async () => {
      const { page: p, errors: errs } = await openWall(browser, system, big, 'display')
      await mapChecks(p, tally, big, 'town')
      if (big === WALLS[1]) {
        await p.goto(`${system.origin}/?scope=village:${village.id}`)
        await p.waitForSelector('body[data-map-ready="1"]', { timeout: 90_000 })
        await mapChecks(p, tally, big, 'village')
        await p.locator('[data-testid^="feed-"]').first().click()
        await p.locator('[data-testid="work-order-detail"]').waitFor({ timeout: 10_000 })
        tally.check(`29.13 [${big.name}] a wall's display account gets no desk link`, (await p.locator('[data-testid="wall-open-desk"]').count()) === 0)
      }
      tally.check(`29 wall (${big.name}, display): no page or console errors`, errs.length === 0, errs.slice(0, 3).join(' | '))
      await p.context().close()
    })
  }
}

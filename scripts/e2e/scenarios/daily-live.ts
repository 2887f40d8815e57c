// Issue 29, live data in daily use (engineer A):
// 29.2 the wall's 事件工单 feed follows the scope back up to the town (Escape, 返回上级, the breadcrumb);
// 29.1 a driver's SOS (a JT/T 808 terminal's 0x0200 with alarm bit 0) and a new alert reach an open
//      desk live, on any page, with a banner, a sound and a notification in the background; a
//      reloaded desk still shows the unacknowledged emergency; 确认 clears it on the desk and the wall;
// 29.0 the API restarted gracefully (SIGTERM) and killed (SIGKILL): the open wall and desk come back
//      live by themselves, and an alert raised after the restart reaches both without a reload.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { FIXTURES_DIR } from '../../../api/db/fixtures.ts'
import { loadCollectionPoints, loadPlates } from '../../simulate/routes.ts'
import { jt808Transport } from '../../simulate/jt808/transport.ts'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'

type Order = { id: number; villageId: number }
type Alert = { id: number; vehicleId: number; kind: string; state: string; plate: string }

/**
 * Counts the WebAudio sounds and the notifications a page makes (a page cannot be listened to).
 * A string, not a function: the e2e runs under tsx, whose helper names (__name) do not exist in the page.
 */
const INSTRUMENT = `
  window.__sounds = 0
  window.__notes = []
  const osc = AudioContext.prototype.createOscillator
  AudioContext.prototype.createOscillator = function () { window.__sounds++; return osc.call(this) }
  if ('Notification' in window) {
    window.Notification = new Proxy(window.Notification, {
      // statics (permission, requestPermission) read on the real class
      get: (target, key) => Reflect.get(target, key),
      construct: (target, args) => { window.__notes.push(args[0]); return Reflect.construct(target, args) },
    })
  }`
/** the tab in the background, as far as the page can tell (headless Chromium has no other tab to switch to) */
const HIDE = "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })"
const SHOW = 'delete document.hidden'
const sounds = (p: Page) => p.evaluate(() => (window as unknown as { __sounds: number }).__sounds)
const notes = (p: Page) => p.evaluate(() => (window as unknown as { __notes: string[] }).__notes)

export async function dailyLiveScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const step = async (name: string, run: () => Promise<void>) => {
    console.log(`  step ${name}`)
    const t0 = Date.now()
    try {
      await run()
    } catch (err) {
      tally.check(`[${name}] ran to the end`, false, (err as Error).stack?.slice(0, 500) ?? String(err))
    }
    console.log(`    (${((Date.now() - t0) / 1000).toFixed(0)} s)`)
  }
  const leader = await apiLogin(system.origin, 'leader')
  const device = await apiLogin(system.origin, 'device')
  const dispatcher = await apiLogin(system.origin, 'dispatcher')
  const get = async <T>(path: string, token = leader) => (await (await fetch(system.origin + path, { headers: { Authorization: `Bearer ${token}` } })).json()) as T
  const points = loadCollectionPoints(FIXTURES_DIR)
  const [lon, lat] = [...points.values()][0]
  /** one fix at 88 km/h: an overspeed alert for that truck */
  const overspeed = async (vehicleId: number) => {
    const res = await fetch(`${system.origin}/api/vehicles/positions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${device}` },
      body: JSON.stringify({ positions: [{ vehicleId, time: new Date().toISOString(), lon, lat, speedKmh: 88, heading: 90 }] }),
    })
    if (res.status !== 202) throw new Error(`overspeed fix: HTTP ${res.status}`)
    for (let i = 0; i < 100; i++) {
      const hit = (await get<Alert[]>(`/api/vehicles/alerts?view=open&kind=overspeed&vehicleId=${vehicleId}&limit=1`, dispatcher))[0]
      if (hit) return hit
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`no overspeed alert for truck ${vehicleId}`)
  }

  const contexts: BrowserContext[] = []
  const open = async (size: { width: number; height: number }) => {
    const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    await context.addInitScript({ content: INSTRUMENT })
    const page = await context.newPage()
    return { context, page, errors: watchErrors(page), requests: watchRequests(page, system.origin) }
  }
  const transport = jt808Transport('127.0.0.1', system.jt808Port, points, { plates: loadPlates(FIXTURES_DIR), codes: system.terminalCodes })
  try {
    // the wall, as a town leader opens it, pinned to a village
    const orders = await get<Order[]>('/api/work-orders?limit=300')
    const counts = new Map<number, number>()
    for (const o of orders) counts.set(o.villageId, (counts.get(o.villageId) ?? 0) + 1)
    // a village with orders, but not among the town's newest: its feed and the town's differ
    const newest = orders.slice(0, 12)
    const village = [...counts.keys()].find((v) => !newest.some((o) => o.villageId === v)) ?? [...counts.keys()][0]
    const villageOrders = new Set((await get<Order[]>(`/api/work-orders?limit=300&village=${village}`)).map((o) => o.id))
    const wall = await open({ width: 1920, height: 1080 })
    await signIn(wall.page, system.origin, 'leader', `/?scope=village:${village}`)
    await wall.page.waitForSelector('body[data-map-ready="1"]', { timeout: 90_000 })
    const feedIds = async () => (await wall.page.locator('[data-testid^="feed-"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice(5))))).filter((n) => n > 0)
    const crumbs = async () => (await wall.page.locator('[data-testid="breadcrumb"]').innerText()).replace(/\s+/g, ' ')
    const townFeed = async () => {
      const ok = await wall.page.waitForFunction((id) => !!document.querySelector(`[data-testid="feed-${id}"]`), newest[0].id, { timeout: 20_000 }).then(() => true, () => false)
      const ids = await feedIds()
      return { ok: ok && ids.some((id) => !villageOrders.has(id)), ids }
    }

    await step('29.2 事件工单 follows the scope back up', async () => {
      const atVillage = await wall.page.waitForFunction((ids) => ids.some((id) => document.querySelector(`[data-testid="feed-${id}"]`)), [...villageOrders], { timeout: 20_000 }).then(() => true, () => false)
      const ids = await feedIds()
      tally.check('[29.2] at the village the feed lists its orders', atVillage && ids.length > 0 && ids.every((id) => villageOrders.has(id)), `village ${village}: ${ids.join(',')}`)
      await wall.page.keyboard.press('Escape')
      const esc = await townFeed()
      tally.check('[29.2] Escape → the town: the feed lists the town\'s newest orders, not the village\'s', esc.ok && !(await crumbs()).includes('返回上级'),
        `${await crumbs()}: ${esc.ids.join(',')} (town's newest ${newest[0].id})`)
      await wall.page.screenshot({ path: artifactPath('daily-live-29.2-town-feed-1920x1080.png') })
      // down again (the browser's back), then up by 返回上级 and by the town's crumb
      for (const how of ['返回上级', 'crumb'] as const) {
        await wall.page.goBack()
        await wall.page.waitForFunction((ids) => ids.some((id) => document.querySelector(`[data-testid="feed-${id}"]`)) && !!document.querySelector('[data-testid="breadcrumb"] .back'), [...villageOrders], { timeout: 20_000 })
        if (how === '返回上级') await wall.page.locator('[data-testid="breadcrumb"] .back').click()
        else await wall.page.locator('[data-testid="breadcrumb"] button').first().click()
        const up = await townFeed()
        tally.check(`[29.2] ${how} → the town: the feed follows`, up.ok, up.ids.join(','))
      }
    })

    const desk = await open({ width: 1366, height: 768 })
    await signIn(desk.page, system.origin, 'dispatcher', '/desk/')
    await desk.page.locator('[data-testid="desk-nav-alerts"]').click()
    await desk.page.waitForSelector('[data-testid="desk-alerts"]', { timeout: 30_000 })
    await desk.page.waitForSelector('[data-testid="desk-live"].on', { timeout: 30_000 })
    const sosBanner = desk.page.locator('[data-testid="desk-emergency-banner"]')

    await step('29.1 an SOS and a new alert reach the open desk', async () => {
      // asked politely: a button, answered on her click
      const offered = await desk.page.locator('[data-testid="desk-notify"]').isVisible()
      await desk.context.grantPermissions(['notifications'], { origin: system.origin })
      if (offered) await desk.page.locator('[data-testid="desk-notify"]').click()
      const answered = await desk.page.locator('[data-testid="desk-notify"]').waitFor({ state: 'detached', timeout: 5000 }).then(() => true, () => false)
      tally.check('[29.1] 开启通知 is offered, and asks only on a click', offered && answered)
      // truck 5's terminal connects over JT/T 808, reports where it is, and its driver presses SOS while the desk's tab is in the background
      await transport.send([{ vehicleId: 5, time: new Date().toISOString(), lon, lat, speedKmh: 20, heading: 0 }], { sent: 0, accepted: 0, rejected: 0, failedRequests: 0 })
      await desk.page.evaluate(HIDE)
      const before = await sounds(desk.page)
      await transport.pressEmergency(5)
      const shown = await sosBanner.waitFor({ timeout: 10_000 }).then(() => true, () => false)
      const text = shown ? await sosBanner.innerText() : ''
      const sos = (await get<Alert[]>('/api/vehicles/alerts?view=open&kind=emergency&vehicleId=5&limit=1', dispatcher))[0]
      const row = sos ? await desk.page.locator(`[data-testid="desk-alert-${sos.id}"]`).waitFor({ timeout: 10_000 }).then(() => true, () => false) : false
      tally.check('[29.1] the SOS shows on the desk at once: banner and a row in 车辆告警, no 刷新', shown && text.includes('紧急报警') && row, `${text.replace(/\s+/g, ' ').slice(0, 100)}; row ${row}`)
      // the alarm repeats while nobody acknowledges
      const sounding = await desk.page.waitForFunction((n) => (window as unknown as { __sounds: number }).__sounds >= n + 2, before, { timeout: 15_000 }).then(() => true, () => false)
      tally.check('[29.1] the alarm sounds, and sounds again', sounding, `${before} → ${await sounds(desk.page)} sounds`)
      const noted = await notes(desk.page)
      tally.check('[29.1] with the tab in the background, a browser notification', noted.some((n) => n.includes('紧急报警')), noted.join(' | '))
      await desk.page.evaluate(SHOW)
      // the wall is the slowest page on a loaded machine (its map is drawn on the CPU): it gets longer
      const wallSos = await wall.page.waitForSelector('[data-testid="emergency-banner"]', { timeout: 30_000 }).then(() => true, () => false)
      tally.check('[29.1] the wall shows it too', wallSos)

      // another page of the desk: a new overspeed reaches it too, in the amber line, counted in the menu
      await desk.page.locator('[data-testid="desk-nav-inbox"]').click()
      const speeding = await overspeed(7)
      // (the fix is off the truck's route too: whichever of its alerts came last leads the line)
      const amber = await desk.page.locator('[data-testid="desk-alert-banner"]', { hasText: speeding.plate }).waitFor({ timeout: 10_000 }).then(() => true, () => false)
      const count = Number(await desk.page.locator('[data-testid="desk-alert-count"]').innerText().catch(() => '0'))
      tally.check('[29.1] a new alert reaches the desk on another page (工单收件箱): amber line, 车辆告警 counted', amber && count >= 2 && (await sosBanner.isVisible()), `count ${count}`)
      await desk.page.screenshot({ path: artifactPath('daily-live-29.1-desk-alarm-1366x768.png') })

      // reloaded: the unacknowledged SOS is still there
      await desk.page.reload()
      const kept = await sosBanner.waitFor({ timeout: 30_000 }).then(() => true, () => false)
      const keptCount = Number(await desk.page.locator('[data-testid="desk-alert-count"]').innerText().catch(() => '0'))
      tally.check('[29.1] a reloaded desk still shows the unacknowledged SOS (banner, 车辆告警 count)', kept && keptCount >= 2, `count ${keptCount}`)
      // 确认 on the desk: gone from the desk and the wall, and confirmed to the terminal (0x8203)
      await desk.page.locator('[data-testid="desk-emergency-ack"]').click()
      const gone = await sosBanner.waitFor({ state: 'detached', timeout: 10_000 }).then(() => true, () => false)
      const wallGone = wallSos && await wall.page.waitForSelector('[data-testid="emergency-banner"]', { state: 'detached', timeout: 30_000 }).then(() => true, () => false)
      const until = Date.now() + 10_000
      while (transport.fleet(5)?.emergency && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
      tally.check('[29.1] 确认 on the desk clears the banner there and on the wall, and confirms the alarm to the terminal', gone && wallGone && transport.fleet(5)?.emergency === false)
    })
    await transport.close()

    await step('29.0 the wall and the desk come back live after a restart', async () => {
      const wallBanner = wall.page.locator('[data-testid="stale-banner"]')
      // the wall's open alerts: an alert raised just after the restart may come in the catch-up's read, not as a toast
      await wall.page.locator('[data-testid="alerts-tab"]').click()
      let truck = 8
      for (const how of ['term', 'kill'] as const) {
        const label = how === 'term' ? 'SIGTERM' : 'SIGKILL'
        await system.down(how)
        const downSeen = await wallBanner.waitFor({ timeout: 15_000 }).then(() => true, () => false)
        const deskDown = await desk.page.waitForSelector('[data-testid="desk-live"]:not(.on)', { timeout: 15_000 }).then(() => true, () => false)
        const upMs = await system.up()
        const t0 = Date.now()
        const wallBack = await wallBanner.waitFor({ state: 'detached', timeout: 45_000 }).then(() => true, () => false)
        const deskBack = await desk.page.waitForSelector('[data-testid="desk-live"].on', { timeout: 20_000 }).then(() => true, () => false)
        tally.check(`[29.0] ${label}: 数据更新中断 on the wall, 离线 on the desk; the API back → both live again without a reload`, downSeen && deskDown && wallBack && deskBack,
          `banner ${downSeen}, desk off ${deskDown}; up in ${(upMs / 1000).toFixed(1)} s; wall clear ${wallBack} / desk 实时 ${deskBack} after ${Date.now() - t0} ms`)
        if (how === 'term') await wall.page.screenshot({ path: artifactPath('daily-live-29.0-wall-after-sigterm-1920x1080.png') })
        // a change made after the restart reaches both open pages over their sockets
        const alert = await overspeed(truck++)
        const onWall = await wall.page.locator('[data-testid="alert-list"] li', { hasText: alert.plate }).first().waitFor({ timeout: 30_000 }).then(() => true, () => false)
        const onDesk = await desk.page.locator('[data-testid="desk-alert-banner"]', { hasText: alert.plate }).waitFor({ timeout: 10_000 }).then(() => true, () => false)
        const deskSays = onDesk ? '' : `; the desk shows: ${(await desk.page.locator('.content').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 160)}`
        tally.check(`[29.0] ${label}: an alert raised after the restart reaches the open wall and desk live`, onWall && onDesk, `wall's alert list ${onWall}, desk's amber line ${onDesk} (alert ${alert.id})${deskSays}`)
      }
    })

    const errors = [...wall.errors, ...desk.errors].filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket/.test(e))
    tally.check('[daily-live] no page or console errors', errors.length === 0, errors.slice(0, 3).join(' | '))
    const foreign = [...wall.requests.foreign, ...desk.requests.foreign]
    tally.check('[daily-live] zero requests outside the origin', foreign.length === 0, foreign.slice(0, 3).join(', '))
  } finally {
    await transport.close().catch(() => {})
    for (const c of contexts) await c.close().catch(() => {})
  }
}

// Live garbage trucks on the wall: the simulator drives the demo trucks as JT/T 808 terminals
// through the gateway, the dispatcher's screen shows them moving with trails, an overspeed
// alert pops up, a truck is followed, dispatched (its terminal gets the order as text) and
// its track replayed; 拍照 on its card shows the camera's picture, and a driver's emergency
// button takes the wall (banner, the map on the truck) until the dispatcher acknowledges it.
import type { Browser, Page } from 'playwright-core'
import { FIXTURES_DIR } from '../../../api/db/fixtures.ts'
import { loadCollectionPoints, loadPlates, loadRoutes } from '../../simulate/routes.ts'
import { startSimulator } from '../../simulate/simulator.ts'
import { jt808Transport } from '../../simulate/jt808/transport.ts'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'

async function mapShot(page: Page): Promise<Buffer> {
  return page.locator('[data-testid="map"]').screenshot()
}

export async function vehiclesScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const device = await apiLogin(system.origin, 'device')
  const simLog: string[] = []
  const transport = jt808Transport('127.0.0.1', system.jt808Port, loadCollectionPoints(FIXTURES_DIR), { plates: loadPlates(FIXTURES_DIR), codes: system.terminalCodes })
  const sim = startSimulator({
    transport,
    routes: loadRoutes(FIXTURES_DIR), hz: 1, faults: false, log: (line) => simLog.push(line),
  })
  try {
    // a few seconds of driving before the wall opens, so there is a track to replay
    await new Promise((r) => setTimeout(r, 8000))
    const token = await apiLogin(system.origin, 'dispatcher')
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    const requests = watchRequests(page, system.origin)
    const errors = watchErrors(page)
    await signIn(page, system.origin, 'dispatcher')
    await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
    await page.waitForSelector('[data-testid="vehicle-row-12"]', { timeout: 20_000 })
    const rows = await page.locator('[data-testid^="vehicle-row-"]').count()
    tally.check('[vehicles] panel lists the 12 trucks', rows === 12, `${rows} rows`)
    const moving = await page.locator('[data-testid="vehicle-panel"] .status.moving').count()
    tally.check('[vehicles] trucks are moving', moving > 0, `${moving} moving`)

    // the map changes while nothing but the trucks moves
    const a = await mapShot(page)
    await page.waitForTimeout(2500)
    const b = await mapShot(page)
    tally.check('[vehicles] trucks move on the map between two screenshots', !a.equals(b))

    // follow a truck, open its card, replay today's run
    await page.locator('[data-testid="vehicle-row-2"]').click()
    // waits sized for a loaded machine (the wall is one page of many on two shared cores)
    const card = await page.waitForSelector('[data-testid="vehicle-card"]', { timeout: 15_000 }).then(() => true, () => false)
    tally.check('[vehicles] clicking a truck opens its card in follow mode', card)
    // dispatch it to a collection point a little way off: the order shows on the card and the map
    await page.locator('[data-testid="dispatch-target"]').selectOption({ index: 6 })
    await page.locator('[data-testid="dispatch-send"]').click()
    const ordered = await page.waitForSelector('[data-testid="dispatch-order"]', { timeout: 15_000 }).then(() => true, () => false)
    tally.check('[vehicles] a dispatch order is sent and shown on the truck card', ordered)
    const active = (await (await fetch(`${system.origin}/api/vehicles/dispatches`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { vehicleId: number }[]
    tally.check('[vehicles] the order is stored as under way', active.some((d) => d.vehicleId === 2), JSON.stringify(active).slice(0, 200))
    // the text travels API → NOTIFY → gateway → TCP → simulator: waited for, not assumed after a fixed pause
    const heardBy = Date.now() + 10_000
    const heardLine = () => simLog.find((l) => l.startsWith('2 号车终端收到: 调度指令'))
    while (!heardLine() && Date.now() < heardBy) await new Promise((r) => setTimeout(r, 100))
    const heard = heardLine()
    tally.check('[vehicles] the truck\'s JT/T 808 terminal got the order as a text message (0x8300)', heard !== undefined, heard ?? simLog.slice(-3).join(' | '))
    // 拍照: the truck's terminal takes a picture (0x8801), uploads it (0x0801), and it appears on the card
    await page.locator('[data-testid="snapshot"]').click()
    const shot = await page.waitForSelector('[data-testid="vehicle-photo"] img', { timeout: 30_000 }).then(() => true, () => false)
    const shotNote = await page.locator('[data-testid="vehicle-card"] .tools').innerText().catch(() => '')
    tally.check('[vehicles] 拍照 on the card: the camera\'s picture appears on the card', shot, shotNote)
    // the card's live figures change every tick, so it is never "stable" for an element shot: clip the page instead
    const cardBox = await page.locator('[data-testid="vehicle-card"]').boundingBox()
    if (cardBox) await page.screenshot({ path: artifactPath('vehicles-snapshot-card.png'), clip: cardBox })
    // nothing navigates here: the click need not wait on a busy renderer to say so (the bar is waited for below)
    await page.locator('[data-testid="replay-today"]').click({ noWaitAfter: true })
    const bar = await page.waitForSelector('[data-testid="playback-bar"]', { timeout: 30_000 }).then(() => true, () => false)
    tally.check('[vehicles] playback bar opens with today\'s track', bar)
    const slider = page.locator('[data-testid="playback-bar"] input[type="range"]')
    // today's track may be only as old as this system (a minute or so): at the default 60× it ends within a second,
    // so play it at 1×, from its start again if it has already ended
    await page.locator('[data-testid="playback-bar"] select[aria-label="回放速度"]').selectOption('1')
    const toggle = page.locator('[data-testid="playback-bar"] button', { hasText: /^(播放|暂停)$/ })
    if ((await toggle.innerText()) === '播放') await toggle.click()
    const t0 = Number(await slider.inputValue().catch(() => '0'))
    await page.waitForTimeout(1500)
    const t1 = Number(await slider.inputValue().catch(() => '0'))
    tally.check('[vehicles] playback advances', t1 > t0, `${t0} → ${t1}`)
    // an overspeed fix raises an alert that pops up on the wall
    const v12 = (await (await fetch(`${system.origin}/api/vehicles`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { id: number; position: { lon: number; lat: number } | null }[]
    const at = v12.find((v) => v.id === 12)?.position ?? { lon: 117.39, lat: 35.1 }
    const res = await fetch(`${system.origin}/api/vehicles/positions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${device}` },
      body: JSON.stringify({ positions: [{ vehicleId: 12, time: new Date().toISOString(), lon: at.lon, lat: at.lat, speedKmh: 88, heading: 90 }] }),
    })
    tally.check('[vehicles] overspeed fix accepted (202)', res.status === 202, `HTTP ${res.status}`)
    const toast = await page.waitForSelector('[data-testid="alert-toast"]', { timeout: 10_000 }).then(() => true, () => false)
    tally.check('[vehicles] overspeed alert toast shown', toast && (await page.locator('[data-testid="alert-toast"]').first().innerText()).includes('超速'))

    await page.screenshot({ path: artifactPath('vehicles-live-alert-playback-1920.png') })

    await page.locator('[data-testid="alerts-tab"]').click()
    const listed = await page.locator('[data-testid="alert-list"]').innerText()
    tally.check('[vehicles] alert list shows the overspeed', listed.includes('超速'), listed.slice(0, 200))
    // the dispatcher leaves the replay and files the alert as a work order for the village
    // a replaying wall is busy on a loaded machine: its clicks get time, and wait on no navigation
    await page.getByText('退出回放').click({ timeout: 60_000, noWaitAfter: true })
    await page.locator('[data-testid^="alert-to-order-"]').first().click({ timeout: 60_000, noWaitAfter: true })
    const filed = await page.waitForSelector('[data-testid="work-order-detail"]', { timeout: 5000 }).then(() => page.locator('[data-testid="work-order-detail"]').innerText(), () => '')
    tally.check('[vehicles] an alert becomes a work order (source 车辆告警) and opens', filed.includes('车辆告警') && filed.includes('超速'), filed.slice(0, 120))

    // the driver of truck 5 presses the emergency button: the wall must show it at once
    await page.keyboard.press('Escape').catch(() => {})
    const pressed = Date.now()
    await transport.pressEmergency(5)
    const banner = await page.waitForSelector('[data-testid="emergency-banner"]', { timeout: 5000 }).then(() => page.locator('[data-testid="emergency-banner"]').innerText(), () => '')
    tally.check('[vehicles] an emergency press shows the alarm banner on the wall', banner.includes('紧急报警'), `${banner.slice(0, 80)} after ${Date.now() - pressed} ms`)
    const followed = await page.locator('[data-testid="vehicle-card"] header b').innerText().catch(() => '')
    const plate5 = ((await (await fetch(`${system.origin}/api/vehicles`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { id: number; plate: string }[]).find((v) => v.id === 5)?.plate
    tally.check('[vehicles] the wall follows the truck in emergency', followed === plate5, `${followed} / ${plate5}`)
    await page.waitForTimeout(1500)
    await page.screenshot({ path: artifactPath('vehicles-emergency-1920.png') })
    await page.locator('[data-testid="emergency-ack"]').click()
    const gone = await page.waitForSelector('[data-testid="emergency-banner"]', { state: 'detached', timeout: 5000 }).then(() => true, () => false)
    const deadline = Date.now() + 5000
    while (transport.fleet(5)?.emergency && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    tally.check('[vehicles] acknowledging clears the banner and confirms the alarm to the terminal (0x8203)', gone && transport.fleet(5)?.emergency === false)

    tally.check('[vehicles] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 5).join(', '))
    tally.check('[vehicles] no page or console errors', errors.length === 0, errors.slice(0, 5).join(' | '))
    await context.close()
  } finally {
    await sim.stop()
  }
  tally.check('[vehicles] simulator: every fix sent was accepted', sim.stats.accepted > 0 && sim.stats.rejected === 0 && sim.stats.failedRequests === 0, JSON.stringify(sim.stats))
}

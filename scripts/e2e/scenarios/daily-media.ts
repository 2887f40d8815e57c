// Issue 29, points 5 and 6, through the screens (signed in through the forms):
// 29.5 photos: an order with a report photo and an after-photo opens in the desk; a thumbnail opens
//      the viewer at full size, zooms (wheel and button) and puts before and after side by side; the
//      审 dialog shows both photos and its viewer opens above it; the grid worker's phone opens the
//      report photo at 390×844; a truck's camera photo opens on the wall.
// 29.6 the desk's fleet map: trucks live (a JT/T 808 simulator drives them over TCP), a click follows
//      one, a day's playback is fitted to its track, and an SOS pressed during playback takes the map
//      to that truck live.
// The order's filing, dispatch and handling are set up over the API: what is under test is seeing them.
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { FIXTURES_DIR } from '../../../api/db/fixtures.ts'
import { loadCollectionPoints, loadPlates, loadRoutes } from '../../simulate/routes.ts'
import { startSimulator } from '../../simulate/simulator.ts'
import { jt808Transport } from '../../simulate/jt808/transport.ts'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

export async function dailyMediaScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  const check = (name: string, ok: boolean, detail = '') => tally.check(`[daily-media] ${name}`, ok, detail)
  async function step(name: string, run: () => Promise<void>): Promise<void> {
    console.log(`  — ${name}`)
    await run().catch((err: Error) => check(`${name}: ran to the end`, false, err.stack ?? String(err)))
  }
  async function open(options: Parameters<Browser['newContext']>[0], user: string, path: string): Promise<Page> {
    const ctx = await browser.newContext(options)
    contexts.push(ctx)
    const page = await ctx.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine))
    await signIn(page, system.origin, user, path)
    return page
  }
  async function shoot(page: Page, file: string, scope = 'body'): Promise<void> {
    await page.waitForTimeout(300)
    await page.screenshot({ path: artifactPath(file) })
    const problems = await layoutProblems(page, scope)
    check(`${file}: no clipped, overflowing or overlapping text`, problems.length === 0,
      problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const attr = (page: Page, selector: string, name: string) => page.locator(selector).first().getAttribute(name).catch(() => null)
  async function api<T>(user: string, path: string, body?: unknown, type = 'application/json'): Promise<T> {
    const res = await fetch(system.origin + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${await apiLogin(system.origin, user)}`, ...(body === undefined ? {} : { 'Content-Type': type }) },
      body: body === undefined ? undefined : body instanceof Buffer ? body : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  const jpeg = (r: number, g: number, b: number) => sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r, g, b } } }).jpeg().toBuffer()

  // the trucks drive from the start, so there is a track to replay by the time the fleet map opens
  const simLog: string[] = []
  const transport = jt808Transport('127.0.0.1', system.jt808Port, loadCollectionPoints(FIXTURES_DIR), { plates: loadPlates(FIXTURES_DIR), codes: system.terminalCodes })
  const sim = startSimulator({ transport, routes: loadRoutes(FIXTURES_DIR), hz: 1, faults: false, log: (line) => simLog.push(line) })
  try {
    // an order of grid G in village 3 with a report photo, dispatched to the village and handled with an after-photo
    const grids = (await api<{ features: { properties: { id: number; label: [number, number] } }[] }>('dispatcher', '/api/grids?village=3')).features
    const grid = grids[0].properties
    const gw = `gw-${grid.id}`
    const before = await api<{ id: number }>(gw, '/api/photos', await jpeg(170, 90, 40), 'image/jpeg')
    const order = await api<{ id: number }>(gw, '/api/work-orders', {
      category: 'garbage', description: 'E2E 照片查看：路边垃圾堆放', lon: grid.label[0], lat: grid.label[1], photoIds: [before.id],
    })
    await api('dispatcher', `/api/work-orders/${order.id}/actions`, { action: 'dispatch', villageId: 3 })

    await step('29.5 照片：手机上打开上报照片（390×844）', async () => {
      const phone = await open(PHONE, gw, '/m/')
      await phone.click('[data-testid="m-tab-todo"]')
      await phone.click(`[data-testid="m-todo-${order.id}"]`)
      check('the phone\'s order shows the report photo', await seen(phone, `[data-testid="m-order-photos"] [data-testid="photo-open-${before.id}"]`))
      await shoot(phone, 'daily-media-phone-order-390.png')
      await phone.tap(`[data-testid="photo-open-${before.id}"]`)
      const img = await seen(phone, '[data-testid="photo-viewer"] [data-testid="photo-viewer-img"]')
      const w = await phone.locator('[data-testid="photo-viewer-img"]').evaluate((i: HTMLImageElement) => i.naturalWidth).catch(() => 0)
      check('a tap opens the viewer with the photo at display size (not the 320 px thumbnail)', img && w > 320, `natural width ${w}`)
      await phone.tap('[data-testid="photo-viewer-zoom-in"]')
      check('放大 zooms on the phone', Number(await attr(phone, '[data-testid="photo-viewer"]', 'data-scale')) > 1)
      await shoot(phone, 'daily-media-phone-viewer-390.png', '[data-testid="photo-viewer"]')
      await phone.tap('[data-testid="photo-viewer-close"]')
      check('关闭 closes it', await phone.waitForSelector('[data-testid="photo-viewer"]', { state: 'detached', timeout: 3000 }).then(() => true, () => false))
      await phone.close()
    })

    await step('29.5 照片：群众在查询页查看自己上传的照片（390×844）', async () => {
      // the report as /r/ sends it: photos with a random upload key, then the report
      const uploadKey = `e2e-media-${Date.now().toString(36)}`.padEnd(20, 'x')
      const up = await fetch(`${system.origin}/api/public/photos`, { method: 'POST', headers: { 'Content-Type': 'image/jpeg', 'X-Upload-Key': uploadKey }, body: await jpeg(90, 60, 160) })
      const mine = ((await up.json()) as { id: number }).id
      const res = await fetch(`${system.origin}/api/public/reports`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ category: 'garbage', description: 'E2E 群众照片：垃圾堆放', lon: grid.label[0], lat: grid.label[1], photoIds: [mine], uploadKey }),
      })
      const code = ((await res.json()) as { trackingCode: string }).trackingCode
      const ctx = await browser.newContext(PHONE)
      contexts.push(ctx)
      const r = await ctx.newPage()
      foreign.push(...watchRequests(r, system.origin).foreign)
      const mineErrors = watchErrors(r)
      r.on('close', () => errors.push(...mineErrors))
      await r.goto(`${system.origin}/r/#/s/${code}`)
      check('the status page shows the resident\'s own photo', await seen(r, `[data-testid="r-photos"] [data-testid="photo-open-${mine}"]`))
      await r.tap(`[data-testid="photo-open-${mine}"]`)
      check('…and opens it in the viewer', await seen(r, `[data-testid="photo-viewer"] [data-testid="photo-viewer-img"][data-photo="${mine}"]`))
      await shoot(r, 'daily-media-resident-viewer-390.png', '[data-testid="photo-viewer"]')
      await r.tap('[data-testid="photo-viewer-close"]')
      await shoot(r, 'daily-media-resident-status-390.png')
      await r.close()
    })

    const after = await api<{ id: number }>('cadre-3', '/api/photos', await jpeg(40, 150, 90), 'image/jpeg')
    await api('cadre-3', `/api/work-orders/${order.id}/actions`, { action: 'handle', note: '已清运，现场已清理', photoIds: [after.id] })

    await step('29.5 照片：工作台工单页查看、缩放、前后对比，审核对话框显示照片（1366×768）', async () => {
      const d = await open(DESK, 'dispatcher', '/desk/')
      await d.goto(`${system.origin}/desk/#/order/${order.id}`)
      const both = await seen(d, `[data-testid="desk-order-photos"] [data-testid="photo-${before.id}"]`) && await seen(d, `[data-testid="desk-order-photos"] [data-testid="photo-${after.id}"]`)
      check('the order page shows the report photo and the after-photo', both)
      await d.click(`[data-testid="desk-order-photos"] [data-testid="photo-open-${before.id}"]`)
      check('a click opens the viewer', await seen(d, '[data-testid="photo-viewer"] [data-testid="photo-viewer-img"]'))
      const stage = await d.locator('[data-testid="photo-viewer"] .stage').first().boundingBox()
      if (stage) {
        await d.mouse.move(stage.x + stage.width * 0.7, stage.y + stage.height * 0.4)
        await d.mouse.wheel(0, -400)
      }
      await d.waitForFunction(() => Number(document.querySelector('[data-testid="photo-viewer"]')?.getAttribute('data-scale')) > 1, undefined, { timeout: 3000 }).catch(() => undefined)
      const wheeled = Number(await attr(d, '[data-testid="photo-viewer"]', 'data-scale'))
      check('the wheel zooms in', wheeled > 1, `scale ${wheeled}`)
      await d.click('[data-testid="photo-viewer-zoom-in"]')
      check('放大 zooms further', Number(await attr(d, '[data-testid="photo-viewer"]', 'data-scale')) > wheeled)
      await d.keyboard.press('0')
      check('0 fits the photo again', Number(await attr(d, '[data-testid="photo-viewer"]', 'data-scale')) === 1)
      await d.click('[data-testid="photo-viewer-compare"]')
      const sides = await seen(d, `[data-testid="photo-viewer-side-before"] [data-photo="${before.id}"]`) && await seen(d, `[data-testid="photo-viewer-side-after"] [data-photo="${after.id}"]`)
      check('前后对比 shows the report photo beside the after-photo', sides)
      await shoot(d, 'daily-media-desk-compare-1366.png', '[data-testid="photo-viewer"]')
      await d.keyboard.press('Escape')
      check('Esc closes the viewer', (await d.locator('[data-testid="photo-viewer"]').count()) === 0)
      // 审: the reviewer sees both photos in the dialog and opens one above it
      await d.click('[data-testid="desk-action-review"]')
      const inDialog = await seen(d, `[data-testid="desk-dialog-order-photos"] [data-testid="photo-${before.id}"]`) && await seen(d, `[data-testid="desk-dialog-order-photos"] [data-testid="photo-${after.id}"]`)
      check('the 审 dialog shows the report photo and the after-photo', inDialog)
      await d.click(`[data-testid="desk-dialog-order-photos"] [data-testid="photo-open-${after.id}"]`)
      check('…and a photo opens in the viewer above the dialog', await seen(d, '[data-testid="photo-viewer"] [data-testid="photo-viewer-img"]'))
      await shoot(d, 'daily-media-desk-review-viewer-1366.png', '[data-testid="photo-viewer"]')
      await d.keyboard.press('Escape')
      const dialogStays = (await d.locator('[data-testid="photo-viewer"]').count()) === 0 && (await d.locator('[data-testid="desk-action-dialog"]').count()) === 1
      check('Esc closes the viewer and leaves the 审 dialog open', dialogStays)
      await d.click('[data-testid="desk-dialog-order-photos"] [data-testid="order-photos-compare"]')
      check('the dialog\'s 前后对比 opens side by side', (await attr(d, '[data-testid="photo-viewer"]', 'data-mode')) === 'compare')
      await d.keyboard.press('Escape')
      await shoot(d, 'daily-media-desk-review-1366.png')
      await d.click('[data-testid="desk-dialog-submit"]')
      check('审 通过 after seeing the photos', await seen(d, '[data-testid="desk-order-state"][data-state="reviewed"]'))
      await d.close()
    })

    await step('29.6 车辆：工作台车辆地图、跟随、按日回放、回放中紧急报警（1366×768）', async () => {
      const d = await open(DESK, 'dispatcher', '/desk/')
      await d.click('[data-testid="desk-nav-fleet"]')
      check('the fleet map is drawn', await seen(d, '[data-testid="desk-fleet-map"][data-ready="1"]', 30_000))
      await d.waitForFunction(() => [...document.querySelectorAll('[data-testid^="desk-fleet-"][data-status="moving"]')].length > 0, undefined, { timeout: 15_000 }).catch(() => undefined)
      const rows = await d.locator('[data-testid^="desk-fleet-"][data-status]').count()
      const moving = await d.locator('[data-testid^="desk-fleet-"][data-status="moving"]').count()
      check('the list shows every truck, some moving, with speed and last fix', rows === 12 && moving > 0 && /km\/h/.test(await d.locator('[data-testid="desk-fleet-3"]').innerText()), `${rows} rows, ${moving} moving`)
      await d.click('[data-testid="desk-fleet-3"]')
      await d.waitForFunction(() => document.querySelector('[data-testid="desk-fleet-map"]')?.getAttribute('data-follow') === '3', undefined, { timeout: 5000 }).catch(() => undefined)
      const near = async (id: number) => {
        const c = ((await attr(d, '[data-testid="desk-fleet-map"]', 'data-centre')) ?? '').split(',').map(Number)
        const v = (await api<{ id: number; position: { lon: number; lat: number } | null }[]>('dispatcher', '/api/vehicles')).find((x) => x.id === id)?.position
        return { ok: !!v && Math.abs(c[0] - v.lon) < 0.005 && Math.abs(c[1] - v.lat) < 0.005, detail: `centre ${c.join(',')}, truck ${v?.lon},${v?.lat}` }
      }
      // the map moves with each fix (about one a second): polled, not waited for a fixed time
      const until = async (id: number) => {
        const by = Date.now() + 8000
        let r = await near(id)
        while (!r.ok && Date.now() < by) {
          await d.waitForTimeout(300)
          r = await near(id)
        }
        return r
      }
      const followed = await until(3)
      check('a click follows the truck: the map keeps it in the middle', (await attr(d, '[data-testid="desk-fleet-map"]', 'data-follow')) === '3' && followed.ok, followed.detail)
      await shoot(d, 'daily-media-fleet-follow-1366.png')

      // playback of today's track, fitted
      // every fix stored before the click is in the track the page reads after it (later ones may not be)
      const clicked = new Date().toISOString()
      await d.click('[data-testid="desk-fleet-replay"]')
      check('回放 opens today\'s track', await seen(d, '[data-testid="desk-fleet-map"][data-mode="playback"]', 15_000))
      await d.waitForTimeout(500)
      const view = ((await attr(d, '[data-testid="desk-fleet-map"]', 'data-view')) ?? '').split(',').map(Number)
      const track = await api<{ geometry: { coordinates: [number, number][] } }>('dispatcher', `/api/vehicles/3/track?from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&to=${encodeURIComponent(clicked)}`)
      const inside = track.geometry.coordinates.filter(([x, y]) => x >= view[0] - 1e-4 && y >= view[1] - 1e-4 && x <= view[2] + 1e-4 && y <= view[3] + 1e-4).length
      check('the map is fitted to the track (every vertex in view)', view.length === 4 && inside === track.geometry.coordinates.length, `${inside}/${track.geometry.coordinates.length} in ${view.join(',')}`)
      await d.locator('[data-testid="desk-fleet-speed"]').fill('1')
      const playing = await attr(d, '[data-testid="desk-fleet-playback"]', 'data-state')
      if (playing !== 'playing') await d.click('[data-testid="desk-fleet-play"]')
      const t0 = Number(await d.locator('[data-testid="desk-fleet-time"]').inputValue())
      await d.waitForTimeout(1500)
      const t1 = Number(await d.locator('[data-testid="desk-fleet-time"]').inputValue())
      check('playback advances at the speed set with the slider', t1 > t0, `${t0} → ${t1}`)
      await d.click('[data-testid="desk-fleet-play"]')
      check('暂停 pauses', (await attr(d, '[data-testid="desk-fleet-playback"]', 'data-state')) === 'paused')
      await d.click('[data-testid="desk-fleet-play"]')
      // another day: yesterday's date picked; the answer is its track or a plain "no track"
      const yesterday = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 86_400_000))
      await shoot(d, 'daily-media-fleet-playback-1366.png')

      // an SOS during playback: the map goes to that truck, live
      await transport.pressEmergency(5)
      const sos = await seen(d, '[data-testid="desk-fleet-emergency"][data-vehicle="5"]', 10_000)
      const there = await until(5)
      check('an SOS during playback takes the map to the truck, live', sos && (await attr(d, '[data-testid="desk-fleet-map"]', 'data-mode')) === 'live'
        && (await attr(d, '[data-testid="desk-fleet-map"]', 'data-follow')) === '5' && there.ok, there.detail)
      await shoot(d, 'daily-media-fleet-sos-1366.png')
      await d.fill('[data-testid="desk-fleet-day"]', yesterday)
      await d.click('[data-testid="desk-fleet-replay"]')
      const other = await seen(d, '[data-testid="desk-fleet-map"][data-mode="playback"], [data-testid="desk-fleet-replay-error"]', 15_000)
      const said = await d.locator('[data-testid="desk-fleet-replay-error"]').innerText().catch(() => '')
      const played = (await attr(d, '[data-testid="desk-fleet-map"]', 'data-mode')) === 'playback'
      // a fresh system may hold no track for yesterday: then the page must say so for that very day
      check('a day picked in the date field is replayed, or said to have no track that day', other && (played || said.includes(yesterday)), said || 'played')
      // the camera's photo: 拍照, then opened in the viewer
      await d.click('[data-testid="desk-snapshot"]')
      const shot = await d.waitForSelector('[data-testid="desk-fleet-vehicle"] [data-testid^="photo-open-"]', { timeout: 30_000 }).then(() => true, () => false)
      check('拍照 adds the camera\'s photo to the truck', shot)
      if (shot) {
        await d.click('[data-testid="desk-fleet-vehicle"] [data-testid^="photo-open-"]')
        check('the truck\'s photo opens in the viewer', await seen(d, '[data-testid="photo-viewer"] [data-testid="photo-viewer-img"]'))
        await d.keyboard.press('Escape')
      }
      // the center confirms the SOS (0x8203 to the terminal), as a dispatcher would: the scenarios after
      // this one start with no emergency open
      const openSos = await api<{ id: number }[]>('dispatcher', '/api/vehicles/alerts?view=open&kind=emergency')
      for (const a of openSos) await api('dispatcher', `/api/vehicles/alerts/${a.id}/acknowledge`, {}).catch(() => undefined)
      await d.close()
    })

    await step('29.5 照片：大屏车辆卡片的抓拍可放大（1920×1080）', async () => {
      const wall = await open(WALL, 'dispatcher', '/')
      await wall.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
      await wall.locator('[data-testid="vehicle-row-5"]').click({ timeout: 20_000 })
      const photo = await seen(wall, '[data-testid="vehicle-photo"] [data-testid^="photo-open-"]', 15_000)
      check('the truck card shows its camera photo as a button', photo)
      await wall.locator('[data-testid="vehicle-photo"] [data-testid^="photo-open-"]').click({ noWaitAfter: true })
      check('…which opens in the viewer', await seen(wall, '[data-testid="photo-viewer"] [data-testid="photo-viewer-img"]', 15_000))
      await shoot(wall, 'daily-media-wall-viewer-1920.png', '[data-testid="photo-viewer"]')
      const scope = wall.url()
      await wall.keyboard.press('Escape')
      check('Esc closes the viewer and leaves the wall where it was', (await wall.locator('[data-testid="photo-viewer"]').count()) === 0 && wall.url() === scope)
      await wall.close()
    })

    check('zero requests outside the origin', foreign.length === 0, foreign.slice(0, 5).join(', '))
    check('no page or console errors', errors.length === 0, errors.slice(0, 5).join(' | '))
  } finally {
    await sim.stop()
    for (const c of contexts) await c.close().catch(() => undefined)
  }
}

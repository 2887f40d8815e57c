// Events and work orders: a grid worker reports an event with a photo on the phone page
// (Chromium with a phone viewport), first while offline (it waits in the outbox) and then
// online, and it appears in the wall's feed over socket.io within 2 s; the dispatcher and the
// village move it through the loop 问、派、办、审、回; the reporter's rating moves the wall's KPIs;
// the order's timeline opens from the feed.
import sharp from 'sharp'
import type { Browser } from 'playwright-core'
import { apiLogin, artifactPath, E2E_PASSWORD, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

export async function workOrdersScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async (username: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.origin}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await apiLogin(system.origin, username)}` },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }
  const grids = (await (await fetch(`${system.origin}/api/grids`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, 'leader')}` } })).json()) as {
    features: { properties: { id: number; villageId: number; label: [number, number] } }[]
  }
  const grid = grids.features[20]
  const gridId = grid.properties.id
  const villageId = grid.properties.villageId
  const [lon, lat] = grid.properties.label

  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  const requests = watchRequests(page, system.origin)
  const errors = watchErrors(page)
  // the wall looks at the grid, whose handful of rated orders a single rating visibly moves
  await signIn(page, system.origin, 'dispatcher', `/?scope=grid:${gridId}`)
  await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
  await page.waitForSelector('[data-testid="work-order-panel"]', { timeout: 10_000 })
  await page.waitForTimeout(1500)
  const before = await page.locator('[data-testid="work-order-satisfaction"]').innerText()

  // the phone: a grid worker signs in, is placed by the device inside the grid, takes a photo
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    geolocation: { longitude: lon, latitude: lat }, permissions: ['geolocation'],
  })
  const m = await phone.newPage()
  const phoneRequests = watchRequests(m, system.origin)
  const phoneErrors = watchErrors(m)
  await m.goto(`${system.origin}/m/`)
  await m.fill('[data-testid="m-username"]', `gw-${gridId}`)
  await m.fill('[data-testid="m-password"]', E2E_PASSWORD)
  await m.click('[data-testid="m-login"]')
  const mapShown = await m.waitForSelector('[data-testid="grid-map"] canvas[data-ready="1"]', { timeout: 30_000 }).then(() => true, () => false)
  tally.check('[phone] the grid worker signs in and sees their grid on the map', mapShown)
  await m.getByText('使用定位').click()
  // the device's point is said as a place (street or grid), not as coordinates
  await m.waitForFunction(() => /^位置：/.test(document.querySelector('[data-testid="m-report-place"]')?.textContent?.trim() ?? ''), undefined, { timeout: 5000 })
  await m.selectOption('[data-testid="m-category"]', 'garbage')
  const description = `E2E 测试：收集点垃圾满溢 ${Date.now()}`
  await m.fill('[data-testid="m-description"]', description)
  const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 90, g: 120, b: 60 } } }).jpeg().toBuffer()
  await m.setInputFiles('[data-testid="m-photo"]', { name: 'scene.jpg', mimeType: 'image/jpeg', buffer: photo })
  await m.waitForSelector('.photos img', { timeout: 5000 })
  // no network: the report waits in the outbox, nothing is lost
  await phone.setOffline(true)
  await m.click('[data-testid="m-submit"]')
  const queued = await m.waitForSelector('[data-testid="m-outbox"]', { timeout: 5000 }).then(() => true, () => false)
  tally.check('[phone] offline, the report waits in the outbox', queued)
  await m.screenshot({ path: artifactPath('work-orders-phone-offline-390.png') })
  const reportedAt = Date.now()
  await phone.setOffline(false)
  const sent = await m.waitForSelector('[data-testid="m-notice"]:has-text("事件已上报")', { timeout: 10_000 }).then(() => true, () => false)
  tally.check('[phone] back online, the outbox sends the report with its photo', sent && (await m.locator('[data-testid="m-outbox"]').count()) === 0)
  const mine = (await api('dispatcher', `/api/work-orders?grid=${gridId}&limit=5`)).json as unknown as { id: number; description: string; history?: unknown }[]
  const id = mine.find((o) => o.description === description)?.id ?? 0
  tally.check('[phone] the report is one order, snapped to the grid', mine.filter((o) => o.description === description).length === 1, `order ${id}`)
  const onWall = await page.waitForSelector(`[data-testid="feed-${id}"]`, { timeout: 2000 }).then(() => true, () => false)
  tally.check('[work orders] the report appears in the wall\'s feed within 2 s (socket.io)', onWall, `${Date.now() - reportedAt} ms after the phone went online`)
  const detail = (await api('dispatcher', `/api/work-orders/${id}`)).json as { history: { photoIds: number[] }[] }
  const photoId = detail.history[0]?.photoIds[0]
  const photoRes = photoId ? await fetch(`${system.origin}/api/photos/${photoId}/thumb`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, 'dispatcher')}` } }) : null
  tally.check('[phone] the photo came with it and has a thumbnail', photoRes?.status === 200 && photoRes.headers.get('content-type') === 'image/jpeg', `photo ${photoId}`)
  await m.getByText('我的工单').click()
  const listed = await m.waitForSelector(`[data-testid="m-order-${id}"]`, { timeout: 5000 }).then(() => true, () => false)
  tally.check('[phone] the order is in "my orders"', listed)
  await m.screenshot({ path: artifactPath('work-orders-phone-390.png') })
  tally.check('[phone] zero requests outside the origin', phoneRequests.foreign.length === 0, phoneRequests.foreign.slice(0, 5).join(', '))
  // the failed fetches while the phone was deliberately offline are the only errors allowed
  const unexpected = phoneErrors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED'))
  tally.check('[phone] no page or console errors (besides the fetches refused while offline)', unexpected.length === 0, unexpected.slice(0, 5).join(' | '))
  await phone.close()

  const steps: [string, Record<string, unknown>][] = [
    ['dispatcher', { action: 'dispatch', villageId }],
    [`cadre-${villageId}`, { action: 'handle', note: '已清运' }],
    ['leader', { action: 'review' }],
    ['dispatcher', { action: 'reply', note: '已回复' }],
    [`gw-${gridId}`, { action: 'rate', satisfaction: 1 }],
  ]
  let state = ''
  for (const [who, body] of steps) {
    const r = await api(who, `/api/work-orders/${id}/actions`, body)
    state = String(r.json.state)
    if (r.status !== 200) tally.check(`[work orders] ${who} ${String(body.action)}`, false, `HTTP ${r.status} ${JSON.stringify(r.json)}`)
  }
  tally.check('[work orders] the dispatcher and the village move it through the loop to closed', state === 'closed', state)
  const kpis = (await api('dispatcher', `/api/work-orders/kpis?scope=grid:${gridId}&days=365`)).json
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="work-order-satisfaction"]')?.textContent === want,
    (kpis.satisfaction as number).toFixed(2), { timeout: 10_000 },
  ).catch(() => undefined)
  const shown = await page.locator('[data-testid="work-order-satisfaction"]').innerText()
  tally.check('[work orders] the reporter\'s rating moves the satisfaction on the wall', shown === (kpis.satisfaction as number).toFixed(2) && shown !== before, `${before} → ${shown} on the wall, ${kpis.satisfaction} from the API`)
  const closedInFeed = await page.locator(`[data-testid="feed-${id}"] .kind.closed`).count()
  tally.check('[work orders] the feed shows it closed', closedInFeed === 1)
  await page.locator(`[data-testid="feed-${id}"]`).click()
  const timeline = await page.waitForSelector('[data-testid="work-order-detail"]', { timeout: 5000 }).then(() => page.locator('[data-testid="work-order-detail"] .timeline li').count(), () => 0)
  tally.check('[work orders] its timeline opens from the feed with every step', timeline === 6, `${timeline} entries`)
  const thumb = await page.waitForSelector('[data-testid="work-order-detail"] img[data-testid^="photo-"]', { timeout: 5000 }).then(() => true, () => false)
  tally.check('[work orders] the phone\'s photo shows in the timeline', thumb)
  await page.screenshot({ path: artifactPath('work-orders-wall-1920.png') })
  await page.locator('[data-testid="work-order-panel"] header button').nth(1).click()
  const ranked = await page.locator('[data-testid="work-order-ranking"] tbody tr').count()
  tally.check('[work orders] the league table (擂台赛) ranks villages', ranked === 8, `${ranked} rows`)
  await page.click('[data-testid="rank-grid-workers"]')
  const workers = await page.locator('[data-testid="grid-worker-ranking"] tbody tr').count()
  tally.check('[work orders] …and grid workers', workers === 8, `${workers} rows`)
  await page.click('[data-testid="rank-departments"]')
  const departments = await page.locator('[data-testid="department-ranking"] tbody tr').count()
  tally.check('[work orders] …and the county departments the town evaluates', departments >= 1 && departments <= 8, `${departments} rows`)
  // eight columns in the panel: nothing cut, wrapped onto a second line or drawn over, on a 1080p and a 4K wall
  for (const [width, height] of [[1920, 1080], [3840, 2160]]) {
    await page.setViewportSize({ width, height })
    await page.waitForTimeout(500)
    const fit = await layoutProblems(page, '[data-testid="work-order-panel"]')
    const wrapped = await page.evaluate(() => [...document.querySelectorAll('[data-testid="work-order-panel"] th, [data-testid="work-order-panel"] td, [data-testid="work-order-kpis"] span')]
      .filter((c) => {
        // on one line, every piece of text shares a horizontal band (a bigger figure beside its label included)
        const r = document.createRange()
        r.selectNodeContents(c)
        const rects = [...r.getClientRects()].filter((x) => x.width > 0)
        return rects.length > 1 && Math.max(...rects.map((x) => x.top)) >= Math.min(...rects.map((x) => x.bottom))
      }).map((c) => c.textContent))
    tally.check(`[work orders] the league tables and KPIs fit the panel at ${width}×${height}`, !fit.length && !wrapped.length,
      [...fit.slice(0, 4).map((p) => `${p.kind}: ${p.text}${p.other ? ` × ${p.other}` : ''}`), ...wrapped.map((w) => `wrapped: ${w}`)].join(' | '))
    await page.locator('[data-testid="work-order-panel"]').screenshot({ path: artifactPath(`work-orders-departments-${width}.png`) })
  }
  await page.setViewportSize({ width: 1920, height: 1080 })
  tally.check('[work orders] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 5).join(', '))
  tally.check('[work orders] no page or console errors', errors.length === 0, errors.slice(0, 5).join(' | '))
  await context.close()
}

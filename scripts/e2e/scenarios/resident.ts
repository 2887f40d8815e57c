// The residents' channel (/r/, no account) on a phone: a resident reports a problem with a
// photo (一键点单), gets the tracking code, follows it on the status page; the command center
// dispatches it to the village, the grid worker handles it on /m/ while offline and then online
// (办, with an after-photo), the center reviews and answers; the resident rates it (拍拍板).
// Along the way: the server's refusals read in Chinese, no token ever leaves the public page,
// the page stores nothing but the codes, no text is clipped or drawn over other text, and
// nothing is fetched from outside the origin.
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, E2E_PASSWORD, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
// responses the scenario provokes on purpose show up as console resource errors
const EXPECTED = /status of (404|409|429)|ERR_INTERNET_DISCONNECTED/

export async function residentScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async (username: string, path: string, body?: unknown) => {
    const res = await fetch(`${system.origin}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await apiLogin(system.origin, username)}` },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }
  const grids = (await api('leader', '/api/grids')).json as unknown as { features: { properties: { id: number; villageId: number; kind: string; label: [number, number] } }[] }
  const grid = grids.features.filter((g) => g.properties.kind === 'base')[40]
  const { id: gridId, villageId, label: [lon, lat] } = grid.properties

  // ── the resident's phone: the device stands in the grid; a grid worker's token was left on it by /m/
  const context = await browser.newContext({ ...PHONE, geolocation: { longitude: lon, latitude: lat }, permissions: ['geolocation'] })
  await context.addInitScript(() => {
    if (!localStorage.getItem('shuzhi.token')) localStorage.setItem('shuzhi.token', 'a'.repeat(64))
  })
  const page = await context.newPage()
  const requests = watchRequests(page, system.origin)
  const errors = watchErrors(page)
  const withToken: string[] = []
  page.on('request', (req) => {
    if (req.headers().authorization) withToken.push(req.url())
  })
  await page.goto(`${system.origin}/r/`)
  const mapReady = await page.waitForSelector('[data-testid="r-map"][data-ready="1"]', { timeout: 30_000 }).then(() => true, () => false)
  tally.check('[resident] the report page opens without an account, with the town on the map', mapReady)
  await page.waitForFunction(() => ((document.querySelector('[data-testid="r-category"]') as HTMLSelectElement | null)?.options.length ?? 0) > 1, undefined, { timeout: 10_000 })
  await layout(page, tally, 'the empty report form')
  await page.screenshot({ path: artifactPath('resident-report-390.png') })

  await page.click('[data-testid="r-submit"]')
  tally.check('[resident] an incomplete report is stopped with a reason in Chinese', /请选择问题类别/.test(await text(page, 'r-error')))
  await page.selectOption('[data-testid="r-category"]', 'road')
  const description = `E2E 群众反映：村口路灯不亮 ${Date.now()}`
  await page.fill('[data-testid="r-description"]', description)
  const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 150, g: 110, b: 70 } } }).jpeg().toBuffer()
  await page.setInputFiles('[data-testid="r-photo"]', { name: 'lamp.jpg', mimeType: 'image/jpeg', buffer: photo })
  await page.waitForSelector('.shot img', { timeout: 5000 })
  // a tap on the map places the point; the device position then moves it into the chosen grid
  const map = page.locator('[data-testid="r-map"]')
  await map.scrollIntoViewIfNeeded()
  const box = (await map.boundingBox())!
  await map.tap({ position: { x: box.width / 2, y: box.height / 2 } })
  const tapped = await page.waitForFunction(() => /已选位置/.test(document.querySelector('[data-testid="r-place"]')?.textContent ?? ''), undefined, { timeout: 5000 }).then(() => true, () => false)
  tally.check('[resident] a tap on the map sets the place', tapped, await text(page, 'r-place'))
  await page.click('[data-testid="r-locate"]')
  // the place is said as people know it (the nearest street or the grid), as the API names the device's point
  const expected = ((await (await fetch(`${system.origin}/api/public/place?lon=${lon}&lat=${lat}`)).json()) as { place: string | null }).place ?? ''
  await page.waitForFunction((want) => (document.querySelector('[data-testid="r-place"]')?.textContent ?? '').includes(want), expected, { timeout: 10_000 }).catch(() => undefined)
  tally.check('[resident] the place reads as a street or grid, never longitude and latitude', expected !== '' && (await text(page, 'r-place')).includes(expected) && !/\d+\.\d{4}/.test(await text(page, 'r-place')), `${await text(page, 'r-place')} (API: ${expected})`)
  tally.check('[resident] the device position sets the place, named by its village', /已选位置：\S+村/.test(await text(page, 'r-place')), await text(page, 'r-place'))
  await page.fill('[data-testid="r-phone"]', '1380013')
  await page.click('[data-testid="r-submit"]')
  tally.check('[resident] a malformed phone number is refused before sending', /手机号/.test(await text(page, 'r-error')))
  // a number of its own each run: the server takes at most 3 reports per phone per hour
  await page.fill('[data-testid="r-phone"]', `139${String(Date.now()).slice(-8)}`)
  // the server's refusals are shown as a sentence of their own in Chinese, never the server's English
  // (here a 429, without spending the real budget)
  await page.route('**/api/public/reports', (route) => route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'Rate limit exceeded, retry in 1 hour' }) }))
  await page.click('[data-testid="r-submit"]')
  await page.waitForSelector('[data-testid="r-error"]:has-text("频繁")', { timeout: 10_000 })
  tally.check('[resident] a 429 reads "提交太频繁", in Chinese only', /提交太频繁/.test(await text(page, 'r-error')) && !/Rate limit|[A-Za-z]{4,}/.test(await text(page, 'r-error')), await text(page, 'r-error'))
  await page.unroute('**/api/public/reports')
  await page.screenshot({ path: artifactPath('resident-filled-390.png'), fullPage: true })
  await layout(page, tally, 'the filled report form with an error')
  await page.click('[data-testid="r-submit"]')
  const codeShown = await page.waitForSelector('[data-testid="r-tracking-code"]', { timeout: 15_000 }).then(() => true, () => false)
  const code = (await page.locator('[data-testid="r-tracking-code"]').getAttribute('data-code').catch(() => null)) ?? ''
  tally.check('[resident] the report goes in and the tracking code is shown big', codeShown && /^[0-9A-Z]{10}$/.test(code), code)
  await layout(page, tally, 'the tracking code')
  await page.screenshot({ path: artifactPath('resident-code-390.png') })
  const stored = await page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])))
  tally.check('[resident] the page stores the code and nothing else (the planted staff token is untouched)',
    Object.keys(stored).sort().join() === 'shuzhi.resident.codes,shuzhi.token' && JSON.parse(stored['shuzhi.resident.codes'] ?? '[]')[0] === code, JSON.stringify(Object.keys(stored)))

  // the order on the center's side: from a resident, in the grid, with the photo
  const list = (await api('dispatcher', `/api/work-orders?source=resident&limit=20`)).json as unknown as { id: number; description: string; gridId: number }[]
  const order = list.find((o) => o.description === description)
  const id = order?.id ?? 0
  tally.check('[resident] it is one order in state asked, snapped to the grid', order?.gridId === gridId, `order ${id}, grid ${order?.gridId} (want ${gridId})`)
  const detail = (await api('dispatcher', `/api/work-orders/${id}`)).json as { history?: { photoIds: number[] }[] }
  tally.check('[resident] the photo came with it', detail.history?.[0]?.photoIds.length === 1)

  await page.click('[data-testid="r-status-link"]')
  await page.waitForSelector('[data-testid="r-state"]', { timeout: 10_000 })
  tally.check('[resident] the status page (#/s/<code>) says it was received', (await text(page, 'r-state')).includes('已受理') && (await page.locator('[data-testid="r-steps"] li').count()) === 1)
  tally.check('[resident] the code stays in the address fragment', new URL(page.url()).hash === `#/s/${code}`)
  const early = await page.evaluate(async (c) => (await fetch(`/api/public/reports/${c}/rating`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"satisfaction":5}' })).status, code)
  tally.check('[resident] rating before the answer is refused (409)', early === 409)
  await page.screenshot({ path: artifactPath('resident-status-390.png') })

  // ── the loop: dispatched to the village, handled on the grid worker's phone, reviewed, answered
  const dispatched = await api('dispatcher', `/api/work-orders/${id}/actions`, { action: 'dispatch', villageId })
  tally.check('[resident] the dispatcher sends it to the village', dispatched.status === 200, String(dispatched.json.state))
  await handleOnPhone(browser, system, tally, gridId, id, lon, lat)
  const reviewed = await api('leader', `/api/work-orders/${id}/actions`, { action: 'review' })
  const answer = '您好，路灯已于今日修复，感谢您的反映。'
  const replied = await api('dispatcher', `/api/work-orders/${id}/actions`, { action: 'reply', note: answer })
  tally.check('[resident] reviewed and answered', reviewed.status === 200 && replied.status === 200, `${reviewed.status} ${replied.status}`)

  // ── the resident comes back with the code typed by hand (lower case, with the dash)
  await page.goto(`${system.origin}/r/#/q`)
  await page.waitForSelector(`[data-testid="r-mine-${code}"] .state`, { timeout: 10_000 })
  tally.check('[resident] 我的反映 lists the code with its state', /请您评价/.test(await page.locator(`[data-testid="r-mine-${code}"]`).innerText()))
  await layout(page, tally, 'the lookup page')
  await page.screenshot({ path: artifactPath('resident-lookup-390.png') })
  await page.fill('[data-testid="r-code-input"]', `${code.slice(0, 5)}-${code.slice(5)}`.toLowerCase())
  await page.click('[data-testid="r-code-open"]')
  await page.waitForSelector('[data-testid="r-reply"]', { timeout: 10_000 })
  const steps = await page.locator('[data-testid="r-steps"] li').allInnerTexts()
  tally.check('[resident] the answer and the steps (states and times only) are shown', (await text(page, 'r-reply')) === answer && steps.length === 5 && !steps.some((s) => /gw-|cadre|dispatcher|leader/.test(s)), `${steps.length} steps`)
  await page.click('[data-testid="r-rate-4"]')
  await page.fill('[data-testid="r-comment"]', '修得很快，谢谢')
  await page.screenshot({ path: artifactPath('resident-rate-390.png'), fullPage: true })
  await layout(page, tally, 'the rating form')
  await page.click('[data-testid="r-rate-submit"]')
  const rated = await page.waitForSelector('[data-testid="r-rated"]', { timeout: 10_000 }).then(() => true, () => false)
  tally.check('[resident] 拍拍板: the rating closes it', rated && (await text(page, 'r-state')) === '已办结')
  const closed = (await api('dispatcher', `/api/work-orders/${id}`)).json as { state?: string; satisfaction?: number; ratingComment?: string }
  tally.check('[resident] the center sees the rating and the comment', closed.state === 'closed' && closed.satisfaction === 4 && closed.ratingComment === '修得很快，谢谢', JSON.stringify([closed.state, closed.satisfaction, closed.ratingComment]))
  await page.screenshot({ path: artifactPath('resident-rated-390.png'), fullPage: true })
  const again = await page.evaluate(async (c) => {
    const r = await fetch(`/api/public/reports/${c}/rating`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"satisfaction":1}' })
    return `${r.status} ${((await r.json()) as { message: string }).message}`
  }, code)
  tally.check('[resident] a second rating is refused (409)', again.startsWith('409'), again)
  await page.goto(`${system.origin}/r/#/s/ZZZZZZZZZZ`)
  await page.waitForSelector('[data-testid="r-error"]', { timeout: 10_000 })
  tally.check('[resident] an unknown code says so in Chinese', /没有找到这个编号/.test(await text(page, 'r-error')))

  tally.check('[resident] no request carries a token (a staff token on the phone stays home)', withToken.length === 0, withToken.slice(0, 3).join(', '))
  tally.check('[resident] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 5).join(', '))
  const unexpected = errors.filter((e) => !EXPECTED.test(e))
  tally.check('[resident] no page or console errors (besides the refusals provoked on purpose)', unexpected.length === 0, unexpected.slice(0, 5).join(' | '))
  await context.close()
}

/** 办 on /m/: the order is in 待我办理; the handling is written offline, waits in the outbox, and goes when online. */
async function handleOnPhone(browser: Browser, system: System, tally: Tally, gridId: number, id: number, lon: number, lat: number): Promise<void> {
  const phone: BrowserContext = await browser.newContext({ ...PHONE, geolocation: { longitude: lon, latitude: lat }, permissions: ['geolocation'] })
  const m = await phone.newPage()
  const requests = watchRequests(m, system.origin)
  const errors = watchErrors(m)
  await m.goto(`${system.origin}/m/`)
  await m.fill('[data-testid="m-username"]', `gw-${gridId}`)
  await m.fill('[data-testid="m-password"]', E2E_PASSWORD)
  await m.click('[data-testid="m-login"]')
  await m.waitForSelector('[data-testid="grid-map"] canvas[data-ready="1"]', { timeout: 30_000 }).catch(() => undefined)
  await m.click('[data-testid="m-tab-todo"]')
  const listed = await m.waitForSelector(`[data-testid="m-todo-${id}"]`, { timeout: 10_000 }).then(() => true, () => false)
  tally.check('[phone] the order is in 待我办理 of the grid\'s worker', listed)
  await m.screenshot({ path: artifactPath('resident-phone-todo-390.png') })
  await m.click(`[data-testid="m-todo-${id}"]`)
  const form = await m.waitForSelector('[data-testid="m-handle-note"]', { timeout: 10_000 }).then(() => true, () => false)
  tally.check('[phone] she may handle it (the order\'s actions hold handle)', form)
  await m.waitForSelector(`[data-testid="m-handle-${id}"] img[data-testid^="photo-"]`, { timeout: 5000 }).catch(() => undefined)
  tally.check('[phone] the resident\'s photo shows with the order', (await m.locator(`[data-testid="m-handle-${id}"] img[data-testid^="photo-"]`).count()) === 1)
  await phone.setOffline(true)
  await m.fill('[data-testid="m-handle-note"]', '已更换灯泡，路灯恢复照明')
  const after = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 40, g: 140, b: 90 } } }).jpeg().toBuffer()
  await m.setInputFiles('[data-testid="m-handle-photo"]', { name: 'after.jpg', mimeType: 'image/jpeg', buffer: after })
  await m.waitForSelector(`[data-testid="m-handle-${id}"] .photos img`, { timeout: 5000 })
  await m.screenshot({ path: artifactPath('resident-phone-handle-390.png'), fullPage: true })
  await layout(m, tally, 'the phone\'s handling form')
  await m.click('[data-testid="m-handle-submit"]')
  const queued = await m.waitForSelector('[data-testid="m-outbox"]', { timeout: 5000 }).then(() => true, () => false)
  tally.check('[phone] offline, the handling waits in the outbox and the to-do shows it as 待发送', queued && /待发送/.test(await m.locator(`[data-testid="m-todo-${id}"]`).innerText()))
  await m.screenshot({ path: artifactPath('resident-phone-offline-390.png') })
  await phone.setOffline(false)
  const sent = await m.waitForSelector('[data-testid="m-notice"]:has-text("办理结果已提交")', { timeout: 15_000 }).then(() => true, () => false)
  tally.check('[phone] back online, the outbox sends it', sent && (await m.locator('[data-testid="m-outbox"]').count()) === 0)
  const token = await apiLogin(system.origin, 'dispatcher')
  const o = (await (await fetch(`${system.origin}/api/work-orders/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { state: string; history: { action: string; actor: string; photoIds: number[] }[] }
  const handled = o.history.filter((h) => h.action === 'handle')
  tally.check('[phone] the order is handled once, by her, with the after-photo', o.state === 'handled' && handled.length === 1 && handled[0].actor === `gw-${gridId}` && handled[0].photoIds.length === 1, `${o.state}, ${handled.length} handle step(s)`)
  await m.waitForFunction((sel) => !document.querySelector(sel), `[data-testid="m-todo-${id}"]`, { timeout: 5000 }).catch(() => undefined)
  tally.check('[phone] it leaves 待我办理', (await m.locator(`[data-testid="m-todo-${id}"]`).count()) === 0)
  tally.check('[phone] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 5).join(', '))
  const unexpected = errors.filter((e) => !EXPECTED.test(e))
  tally.check('[phone] no page or console errors (besides the fetches refused while offline)', unexpected.length === 0, unexpected.slice(0, 5).join(' | '))
  await phone.close()
}

async function layout(page: Page, tally: Tally, what: string): Promise<void> {
  const problems = await layoutProblems(page)
  tally.check(`[layout] ${what}: no clipped, overflowing or overlapping text at 390×844`, problems.length === 0,
    problems.slice(0, 4).map((p) => `${p.kind}: ${p.text}${p.other ? ` × ${p.other}` : ''}`).join(' | '))
}

const text = (page: Page, testid: string) => page.locator(`[data-testid="${testid}"]`).first().innerText().catch(() => '')

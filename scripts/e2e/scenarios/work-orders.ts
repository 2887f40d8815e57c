// Events and work orders on the wall: a grid worker reports an event (through the API, as the
// phone page will) and it appears in the wall's feed over socket.io within 2 s; the dispatcher
// and the village move it through the loop 问、派、办、审、回; the reporter's rating shows in the
// KPIs; the order's timeline opens from the feed.
import type { Browser } from 'playwright-core'
import { apiLogin, artifactPath, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'

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
  await page.goto(`${system.origin}/?scope=grid:${gridId}&token=${await apiLogin(system.origin, 'dispatcher')}`)
  await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
  await page.waitForSelector('[data-testid="work-order-panel"]', { timeout: 10_000 })
  await page.waitForTimeout(1500)
  const before = await page.locator('[data-testid="work-order-satisfaction"]').innerText()

  const reportedAt = Date.now()
  const report = await api(`gw-${gridId}`, '/api/work-orders', { category: 'garbage', description: 'E2E 测试：收集点垃圾满溢', lon, lat, clientKey: `e2e-${reportedAt}` })
  tally.check('[work orders] a grid worker reports an event (201)', report.status === 201, `HTTP ${report.status} ${JSON.stringify(report.json).slice(0, 120)}`)
  const id = report.json.id as number
  const onWall = await page.waitForSelector(`[data-testid="feed-${id}"]`, { timeout: 2000 }).then(() => true, () => false)
  tally.check('[work orders] the report appears in the wall\'s feed within 2 s (socket.io)', onWall, `${Date.now() - reportedAt} ms`)

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
  await page.screenshot({ path: artifactPath('work-orders-wall-1920.png') })
  await page.locator('[data-testid="work-order-panel"] header button').nth(1).click()
  const ranked = await page.locator('[data-testid="work-order-ranking"] tbody tr').count()
  tally.check('[work orders] the league table (擂台赛) ranks villages', ranked === 8, `${ranked} rows`)
  tally.check('[work orders] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 5).join(', '))
  tally.check('[work orders] no page or console errors', errors.length === 0, errors.slice(0, 5).join(' | '))
  await context.close()
}

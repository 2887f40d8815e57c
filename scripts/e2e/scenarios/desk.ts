// The operations desk (/desk/) as its people use it: each role signs in through the form and
// finds its own work; the dispatcher imports 12345 orders (a bad file shows every bad row and
// column, a good one is previewed and imported), calls a caller back (audited), dispatches an
// order on the village the desk suggests, and sees the server's reason when an order moved under
// them; a new order arrives live with a chime and a badge; the village cadre handles it with an
// after-photo, the leader reviews it, the center replies and rates for the caller; a county
// department sends one back; the admin's tools open; display accounts are turned away. Every
// screen is photographed at 1366×768 and 1920×1080 and its text checked for overflow and overlap.
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const SIZES = { small: { width: 1366, height: 768 }, large: { width: 1920, height: 1080 } } as const
type Size = keyof typeof SIZES

export async function deskScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async <T = Record<string, unknown>>(username: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${system.origin}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await apiLogin(system.origin, username)}` },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, json: (await res.json().catch(() => null)) as T }
  }
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  const refused: string[] = []
  async function open(username: string, size: Size = 'small'): Promise<Page> {
    const context = await browser.newContext({ viewport: SIZES[size], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    const page = await context.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    // a console line says only "status of 401": keep which address was refused, for the report
    page.on('response', (r) => {
      if (r.status() === 401) refused.push(`${username} ${r.request().method()} ${new URL(r.url()).pathname}`)
    })
    page.on('close', () => errors.push(...mine.map((e) => `${username}: ${e}`)))
    await signIn(page, system.origin, username, '/desk/')
    return page
  }
  /** a screenshot, and the text on it checked for overflow and overlap */
  async function shoot(page: Page, name: string, scope = 'body'): Promise<void> {
    await page.waitForTimeout(300)
    await page.screenshot({ path: artifactPath(`desk-${name}.png`) })
    const problems = await layoutProblems(page, scope)
    tally.check(`[desk] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 6).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  /**
   * A tool's view, loaded on first use. Another system started on this machine rebuilds the
   * shared dist/ and the chunk the page knows may be gone: the desk then says so
   * (desk-view-failed), and a person reloads, as the test does once.
   */
  async function tool(page: Page, name: string): Promise<boolean> {
    await page.click(`[data-testid="desk-nav-${name}"]`)
    const found = await page.waitForSelector(`[data-testid="desk-${name}"], [data-testid="desk-view-failed"]`, { timeout: 10_000 }).catch(() => null)
    if ((await found?.getAttribute('data-testid')) === 'desk-view-failed') {
      await page.reload()
      return seen(page, `[data-testid="desk-${name}"]`)
    }
    return !!found
  }
  const text = async (page: Page, testid: string) => (await page.locator(`[data-testid="${testid}"]`).first().innerText()).trim()
  /** the inbox has its answer (the list was asked for and came back) */
  const settled = (page: Page) => page.waitForSelector('[data-testid="desk-inbox"][data-loading="0"]', { timeout: 10_000 }).catch(() => undefined)
  const stateOf = (page: Page) => page.locator('[data-testid="desk-order-state"]').getAttribute('data-state')
  async function waitState(page: Page, want: string): Promise<string | null> {
    const seenIt = await page.waitForSelector(`[data-testid="desk-order-state"][data-state="${want}"]`, { timeout: 10_000 }).then(() => true, () => false)
    if (!seenIt) {
      // say what the page shows instead: a wait that fails says why, not only that it timed out
      await page.screenshot({ path: artifactPath(`desk-wait-${want}.png`) }).catch(() => undefined)
      console.log(`  (waiting for ${want} at ${page.url()}: ${(await page.locator('[data-testid="desk-order-page"]').innerText().catch(() => '?')).slice(0, 300).replace(/\n/g, ' ')})`)
    }
    return stateOf(page)
  }
  async function act(page: Page, action: string, fill: (p: Page) => Promise<void> = async () => {}): Promise<void> {
    await page.click(`[data-testid="desk-action-${action}"]`)
    await page.waitForSelector('[data-testid="desk-action-dialog"]')
    await fill(page)
    await page.click('[data-testid="desk-dialog-submit"]')
    await page.waitForSelector('[data-testid="desk-action-dialog"]', { state: 'detached', timeout: 10_000 }).catch(() => undefined)
  }

  // places inside village 3's grids for the 12345 file
  const grids = (await api<{ features: { properties: { id: number; label: [number, number] } }[] }>('dispatcher', '/api/grids?village=3')).json.features
  const [lon, lat] = grids[0].properties.label
  const stamp = Date.now().toString(36)
  const yesterday = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(new Date(Date.now() - 86_400_000))
  const HEAD = '工单编号,受理时间,类别,诉求内容,地址,经度,纬度,来电人,联系电话'
  const good = [HEAD,
    `E2E-${stamp}-1,${yesterday},道路设施,村口道路塌陷一处 需尽快修补,三组路口,${lon},${lat},王建国,13812345678`,
    `E2E-${stamp}-2,${yesterday},环境卫生,路边垃圾堆放多日无人清理,五组,${lon},${lat},李秀英,13987654321`,
    `E2E-${stamp}-3,${yesterday},民生服务,咨询临时救助申请条件,村委会,${lon},${lat},赵小梅,13700001111`,
  ].join('\n')
  const bad = [HEAD,
    `E2E-${stamp}-b1,${yesterday},道路设施,路灯不亮,一组,${lon},${lat},张三,13800000000`,
    `E2E-${stamp}-b2,明天上午,外星类别,x,二组,${lon},${lat},李四,13800000001`,
    `E2E-${stamp}-b3,${yesterday},道路设施,井盖缺失,三组,200,${lat},王五,电话`,
  ].join('\n')

  // ── the dispatcher at 1366×768 ──
  const d = await open('dispatcher')
  tally.check('[desk] the dispatcher signs in through the form and lands on 待派单', await seen(d, '[data-testid="desk-tab-toDispatch"][aria-selected="true"]'))
  const counts = (await api<Record<string, number>>('dispatcher', '/api/work-orders/inbox')).json
  await d.waitForFunction(() => !document.querySelector('[data-testid="desk-tab-count-all"]')?.textContent?.includes('…'))
  const shownCounts: Record<string, string> = {}
  for (const t of ['toDispatch', 'toHandle', 'toReview', 'toReply', 'overdue', 'all']) shownCounts[t] = await text(d, `desk-tab-count-${t}`)
  tally.check('[desk] every tab shows its count from GET /api/work-orders/inbox', Object.entries(shownCounts).every(([t, n]) => Number(n) === counts[t]), JSON.stringify(shownCounts))
  for (const t of ['toHandle', 'toReview', 'toReply', 'overdue', 'all']) {
    await d.click(`[data-testid="desk-tab-${t}"]`)
    await settled(d)
    const rows = await d.locator('tbody tr[data-testid^="desk-order-"]').count()
    tally.check(`[desk] tab ${t} lists its orders`, rows === Math.min(counts[t], 50), `${rows} rows, count ${counts[t]}`)
  }
  await d.click('[data-testid="desk-load-more"]')
  await settled(d)
  const ids = await d.locator('tbody tr[data-testid^="desk-order-"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-testid')!.slice(11))))
  tally.check('[desk] 加载更多 appends the next page, newest first, no row twice', ids.length === 100 && new Set(ids).size === 100 && ids.every((id, i) => i === 0 || id < ids[i - 1]), `${ids.length} rows`)
  await d.selectOption('[data-testid="desk-filter-village"]', '3')
  await settled(d)
  const villageRows = await d.locator('tbody tr[data-testid^="desk-order-"] td:nth-child(4)').allInnerTexts()
  const village3 = (await api<{ features: { properties: { id: number; name: string } }[] }>('dispatcher', '/api/villages')).json.features.find((f) => f.properties.id === 3)!.properties.name
  tally.check('[desk] the village filter narrows the list', villageRows.length > 0 && villageRows.every((t) => t.startsWith(village3)), `${villageRows.length} rows of ${village3}`)
  await d.click('[data-testid="desk-filter-reset"]')
  await d.click('[data-testid="desk-tab-all"]')
  await shoot(d, 'inbox-1366')

  // the 12345 import: a bad file lists every bad row and column, nothing goes in
  await tool(d, 'import')
  await d.setInputFiles('[data-testid="desk-import-file"]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  const badShown = await seen(d, '[data-testid="desk-import-errors"]')
  const badCells = await d.locator('[data-testid="desk-import-errors"] tbody tr').count()
  tally.check('[desk] a bad 12345 file shows each bad row and column', badShown && badCells >= 4
    && await seen(d, '[data-testid="desk-import-error-3-time"]', 1000) && await seen(d, '[data-testid="desk-import-error-3-category"]', 1000) && await seen(d, '[data-testid="desk-import-error-4-lon"]', 1000), `${badCells} problems`)
  tally.check('[desk] …and 导入 stays disabled', await d.locator('[data-testid="desk-import-submit"]').isDisabled())
  await shoot(d, 'import-errors-1366')
  await d.setInputFiles('[data-testid="desk-import-file"]', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
  const previewed = await seen(d, '[data-testid="desk-import-preview-table"]')
  tally.check('[desk] a good file is previewed: 3 orders would be imported', previewed && (await text(d, 'desk-import-would')) === '3')
  await shoot(d, 'import-preview-1366')
  await d.click('[data-testid="desk-import-submit"]')
  tally.check('[desk] 导入 imports them', await seen(d, '[data-testid="desk-import-done"]'))
  const imported = (await api<{ id: number; externalId: string }[]>('dispatcher', `/api/work-orders?q=E2E-${stamp}-1`)).json
  const orderA = imported[0]?.id
  const orderB = (await api<{ id: number }[]>('dispatcher', `/api/work-orders?q=E2E-${stamp}-2`)).json[0]?.id
  const orderC = (await api<{ id: number }[]>('dispatcher', `/api/work-orders?q=E2E-${stamp}-3`)).json[0]?.id
  tally.check('[desk] the imported orders are in the system', !!orderA && !!orderB && !!orderC, `${orderA}, ${orderB}, ${orderC}`)

  // live: an order filed elsewhere appears in 待派单 with a badge and a chime
  await d.click('[data-testid="desk-nav-inbox"]')
  await d.click('[data-testid="desk-tab-toDispatch"]')
  await seen(d, `[data-testid="desk-order-${orderA}"]`)
  const chimesBefore = Number(await d.locator('[data-testid="desk-inbox"]').getAttribute('data-chimes'))
  const filed = await api<{ id: number }>('dispatcher', '/api/work-orders', { category: 'garbage', description: 'E2E 实时推送：垃圾桶满溢', lon, lat, source: 'center' })
  const live = await seen(d, `[data-testid="desk-order-${filed.json.id}"] [data-testid="desk-fresh-${filed.json.id}"]`, 5000)
  const chimesAfter = Number(await d.locator('[data-testid="desk-inbox"]').getAttribute('data-chimes'))
  tally.check('[desk] a new order appears live in 待派单 with a 新 badge and a chime', live && chimesAfter > chimesBefore && await seen(d, '[data-testid="desk-fresh-count"]', 1000), `order ${filed.json.id}, chimes ${chimesBefore} → ${chimesAfter}`)

  // the order page: map, masked caller, 回访, dispatch on the suggestion
  await d.click(`[data-testid="desk-order-${orderA}"]`)
  tally.check('[desk] the order page opens with its state and the map of its grid', (await waitState(d, 'asked')) === 'asked' && await seen(d, '[data-testid="desk-order-map"][data-ready="1"]', 30_000))
  const masked = await text(d, 'desk-caller-phone')
  tally.check('[desk] the caller\'s phone is masked', /^138\*+5678$/.test(masked), masked)
  await d.click('[data-testid="desk-caller-reveal"]')
  await d.fill('[data-testid="desk-caller-reason"]', '电话回访核实诉求')
  await d.keyboard.press('Enter')
  await d.waitForFunction(() => document.querySelector('[data-testid="desk-caller-phone"]')?.textContent === '13812345678', undefined, { timeout: 5000 }).catch(() => undefined)
  tally.check('[desk] 回访 with a reason shows the full phone', (await text(d, 'desk-caller-phone')) === '13812345678')
  // a hotline order waiting for dispatch: 派单, or ended as 作废 / 合并 (a center's choices, issue 29)
  const actions = await d.locator('[data-testid^="desk-action-"]').evaluateAll((b) => b.map((x) => x.getAttribute('data-testid')))
  tally.check('[desk] the buttons are the order\'s actions from the server', JSON.stringify(actions) === JSON.stringify(['desk-action-dispatch', 'desk-action-invalidate', 'desk-action-merge']), actions.join(','))
  await shoot(d, 'order-1366')
  await d.click('[data-testid="desk-action-dispatch"]')
  await d.waitForSelector('[data-testid="desk-action-dialog"]')
  const suggested = await d.locator('[data-testid="desk-dialog-village"]').inputValue()
  tally.check('[desk] 派单 suggests the order\'s own village', suggested === '3' && (await text(d, 'desk-dialog-suggestion')).includes('住建局'), `village ${suggested}`)
  await shoot(d, 'dispatch-dialog-1366', '[data-testid="desk-action-dialog"]')
  await d.keyboard.press('Escape')
  tally.check('[desk] Esc closes the dialog', await d.waitForSelector('[data-testid="desk-action-dialog"]', { state: 'detached', timeout: 2000 }).then(() => true, () => false))
  await act(d, 'dispatch', (p) => p.fill('[data-testid="desk-dialog-note"]', '请村里尽快修补'))
  tally.check('[desk] the dispatcher dispatches it to the village', (await waitState(d, 'dispatched')) === 'dispatched' && (await text(d, 'desk-order-assignee')).includes(village3))

  // a refused action shows the server's reason: the dialog is open when someone else dispatches the order
  await d.goto(`${system.origin}/desk/#/order/${orderB}`)
  await waitState(d, 'asked')
  await d.click('[data-testid="desk-action-dispatch"]')
  await d.waitForSelector('[data-testid="desk-action-dialog"]')
  await api('dispatcher', `/api/work-orders/${orderB}/actions`, { action: 'dispatch', departmentId: 11 })
  await waitState(d, 'dispatched')
  await d.click('[data-testid="desk-dialog-submit"]')
  const refusal = await seen(d, '[data-testid="desk-error"]', 5000) ? await text(d, 'desk-error') : ''
  tally.check('[desk] a refused action shows the server\'s reason', /dispatch is possible only from asked/.test(refusal), refusal)
  await shoot(d, 'refused-1366')
  await d.click('[data-testid="desk-error-close"]').catch(() => undefined)
  await api('dispatcher', `/api/work-orders/${orderC}/actions`, { action: 'dispatch', departmentId: 4 })

  // ── the village cadre handles it with an after-photo ──
  const c = await open('cadre-3')
  tally.check('[desk] the cadre lands on 待办理 with the dispatched order', await seen(c, '[data-testid="desk-tab-toHandle"][aria-selected="true"]') && await seen(c, `[data-testid="desk-order-${orderA}"]`))
  const cadreNav = await c.locator('[data-testid^="desk-nav-"]').evaluateAll((a) => a.map((x) => x.getAttribute('data-testid')!.slice(9)))
  tally.check('[desk] the cadre sees the inbox, 人口双实, 户籍与落图, 台账, 矛盾纠纷, 三务公开, 党建, 民生资金, 授权查询 and rankings, not the center\'s tools',
    JSON.stringify(cadreNav) === JSON.stringify(['inbox', 'population', 'households', 'ledgers', 'disputes', 'notices', 'party', 'welfare', 'people', 'rankings']), cadreNav.join(','))
  await c.click(`[data-testid="desk-order-${orderA}"]`)
  await waitState(c, 'dispatched')
  const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 140, b: 90 } } }).jpeg().toBuffer()
  await act(c, 'handle', async (p) => {
    await p.fill('[data-testid="desk-dialog-note"]', '已组织人员修补路面')
    await p.setInputFiles('[data-testid="desk-dialog-photos"]', { name: 'after.jpg', mimeType: 'image/jpeg', buffer: photo })
    await p.waitForSelector('[data-testid="desk-dialog-photo-list"] img', { timeout: 10_000 })
  })
  tally.check('[desk] the cadre handles it with an after-photo (拍拍图)', (await waitState(c, 'handled')) === 'handled' && await seen(c, '[data-testid="desk-timeline"] img[data-testid^="photo-"]'))
  await shoot(c, 'order-cadre-1366')

  // ── the leader reviews it ──
  const l = await open('leader', 'large')
  tally.check('[desk] the leader lands on 待审核', await seen(l, '[data-testid="desk-tab-toReview"][aria-selected="true"]') && await seen(l, `[data-testid="desk-order-${orderA}"]`))
  await shoot(l, 'inbox-leader-1920')
  await l.click(`[data-testid="desk-order-${orderA}"]`)
  await waitState(l, 'handled')
  await act(l, 'review', (p) => p.click('[data-testid="desk-dialog-approve"]'))
  tally.check('[desk] the leader approves it', (await waitState(l, 'reviewed')) === 'reviewed')
  await shoot(l, 'order-leader-1920')
  await tool(l, 'rankings')
  tally.check('[desk] the ranking view shows the county departments', await seen(l, '[data-testid="desk-rank-department-4"]'))
  await shoot(l, 'rankings-leader-1920')
  await tool(l, 'people')
  await l.fill('[data-testid="desk-people-q"]', `${village3}`)
  await l.keyboard.press('Enter')
  await l.waitForTimeout(800)
  let hit = await l.locator('[data-testid^="desk-people-hit-"]').first().getAttribute('data-testid').catch(() => null)
  if (!hit) {
    const addr = (await api<{ features: { properties: { address: string } }[] }>('leader', `/api/households?grid=${grids[0].properties.id}`)).json.features[0].properties.address
    await l.fill('[data-testid="desk-people-q"]', addr.replace(/\*号$/, '').slice(-6))
    await l.keyboard.press('Enter')
    hit = await l.waitForSelector('[data-testid^="desk-people-hit-"]', { timeout: 5000 }).then((h) => h.getAttribute('data-testid'), () => null)
  }
  if (hit) await l.click(`[data-testid="${hit}"]`)
  const household = await seen(l, '[data-testid="desk-household"]')
  const firstResident = household ? await l.locator('[data-testid^="desk-resident-unmask-"]').first().getAttribute('data-testid') : null
  const rid = Number(firstResident?.split('-').pop())
  const maskedName = rid ? await text(l, `desk-resident-name-${rid}`) : ''
  if (rid) {
    await l.click(`[data-testid="desk-resident-unmask-${rid}"]`)
    await l.fill('[data-testid="desk-unmask-reason"]', '核实低保申请材料')
    await l.click('[data-testid="desk-unmask-submit"]')
    await seen(l, '[data-testid="desk-resident-detail"]')
  }
  const fullName = rid ? await text(l, `desk-resident-name-${rid}`) : ''
  tally.check('[desk] 授权查询: a household opens masked, one member unmasks with a reason', household && maskedName.includes('*') && !!fullName && !fullName.includes('*'), `${maskedName} → ${fullName}`)
  await shoot(l, 'people-leader-1920')

  // ── the center replies and rates for the caller (代评): the loop closes ──
  await d.goto(`${system.origin}/desk/#/order/${orderA}`)
  await waitState(d, 'reviewed')
  await act(d, 'reply', (p) => p.fill('[data-testid="desk-dialog-note"]', '路面已修补，感谢您的反映'))
  await waitState(d, 'replied')
  tally.check('[desk] the center offers 代评 for a hotline caller', (await d.locator('[data-testid="desk-action-rate"]').innerText()).includes('代评'))
  await act(d, 'rate', (p) => p.click('[data-testid="desk-dialog-rating-5"]', { force: true }))
  tally.check('[desk] the center replies and rates: the order is closed', (await waitState(d, 'closed')) === 'closed' && (await d.locator('[data-testid="desk-timeline"] li').count()) === 6)

  // ── a county department sends one back ──
  const dept = await open('dept-4')
  const deptNav = await dept.locator('[data-testid^="desk-nav-"]').evaluateAll((a) => a.map((x) => x.getAttribute('data-testid')!.slice(9)))
  tally.check('[desk] the department sees its inbox and its data import only, with the order sent to it', JSON.stringify(deptNav) === '["inbox","deptimport"]' && await seen(dept, `[data-testid="desk-order-${orderC}"]`), deptNav.join(','))
  await dept.click(`[data-testid="desk-order-${orderC}"]`)
  await waitState(dept, 'dispatched')
  const deptActions = await dept.locator('[data-testid^="desk-action-"]').evaluateAll((b) => b.map((x) => x.getAttribute('data-testid')!.slice(12)))
  tally.check('[desk] the department may handle or send back, nothing else', JSON.stringify(deptActions.sort()) === '["handle","sendBack"]', deptActions.join(','))
  await dept.click('[data-testid="desk-action-sendBack"]')
  await dept.click('[data-testid="desk-dialog-submit"]')
  tally.check('[desk] a send-back without a reason is stopped in the dialog', await seen(dept, '[data-testid="desk-dialog-error"]', 2000))
  await dept.fill('[data-testid="desk-dialog-note"]', '不属于本部门职责，建议由民政局办理')
  await dept.click('[data-testid="desk-dialog-submit"]')
  tally.check('[desk] the department sends it back to the town with a reason', (await waitState(dept, 'asked')) === 'asked')
  await shoot(dept, 'order-department-1366')

  // ── the admin's tools ──
  for (const size of ['small', 'large'] as const) {
    const a = await open('admin', size)
    const px = size === 'small' ? '1366' : '1920'
    for (const name of ['import', 'alerts', 'people', 'rankings', 'categories', 'users', 'terminals', 'audit']) {
      tally.check(`[desk] admin ${name} (${px})`, await tool(a, name))
      if (name === 'terminals') await seen(a, '[data-testid^="desk-terminal-0"], [data-testid^="desk-terminal-1"]', 5000)
      if (name === 'users') await seen(a, '[data-testid="desk-user-admin"]', 5000)
      if (name === 'audit') await seen(a, '[data-testid^="desk-audit-"]', 5000)
      await a.waitForTimeout(400)
      await shoot(a, `${name}-${px}`)
    }
    if (size === 'small') {
      const auditText = await a.locator('[data-testid="desk-audit"] tbody').innerText()
      tally.check('[desk] the audit trail shows the call-back and the unmasking', auditText.includes('回访查看来电电话') && auditText.includes('查看居民完整信息'))
      await tool(a, 'users')
      await a.click('[data-testid="desk-users-new"]')
      const name = `e2e.${stamp}`
      await a.fill('[data-testid="desk-user-username"]', name)
      await a.fill('[data-testid="desk-user-name"]', '测试干部')
      await a.selectOption('[data-testid="desk-user-role"]', 'villageCadre')
      await a.fill('[data-testid="desk-user-password"]', 'a-long-password-1')
      await a.click('[data-testid="desk-user-submit"]')
      const needsVillage = await seen(a, '[data-testid="desk-user-error"]', 2000)
      await a.selectOption('[data-testid="desk-user-village"]', '3')
      await shoot(a, 'user-dialog-1366', '[data-testid="desk-user-dialog"]')
      await a.click('[data-testid="desk-user-submit"]')
      await a.waitForSelector('[data-testid="desk-user-dialog"]', { state: 'detached', timeout: 10_000 }).catch(() => undefined)
      await a.fill('[data-testid="desk-users-q"]', name)
      await a.keyboard.press('Enter')
      tally.check('[desk] the admin creates a village cadre (the village is asked for)', needsVillage && await seen(a, `[data-testid="desk-user-${name}"]`))
      await a.click(`[data-testid="desk-user-reset-${name}"]`)
      await a.click('[data-testid="desk-password-generate"]')
      const made = await seen(a, '[data-testid="desk-password-made"]') ? await text(a, 'desk-password-made') : ''
      tally.check('[desk] a made password is shown once', made.length >= 8)
      await a.keyboard.press('Escape')
    }
  }

  // ── walls and terminals are not for the desk ──
  const wall = await open('display')
  tally.check('[desk] a display account is told the desk is not for it', await seen(wall, '[data-testid="desk-role-refused"]'))
  await wall.click('[data-testid="desk-logout"]')
  tally.check('[desk] …and may sign out', await seen(wall, '[data-testid="login"]'))

  await d.goto(`${system.origin}/desk/`)
  // as a person would: once the desk has loaded (its first requests would be refused mid-flight otherwise)
  await settled(d)
  await d.waitForFunction(() => !document.querySelector('[data-testid="desk-tab-count-all"]')?.textContent?.includes('…'))
  await d.click('[data-testid="desk-logout"]')
  tally.check('[desk] sign out returns to the form', await seen(d, '[data-testid="login"]'))
  for (const ctx of contexts) for (const p of ctx.pages()) await p.close()
  tally.check('[desk] zero requests outside the origin', foreign.length === 0, foreign.slice(0, 5).join(', '))
  // the browser logs every 4xx answer; the bad file's 422 and the refused dispatch's 409 are the test's own
  const unexpected = errors.filter((e) => !/status of (422|409)/.test(e))
  tally.check('[desk] no page or console errors (besides the 422 and 409 asked for)', unexpected.length === 0, [...new Set(unexpected)].slice(0, 5).join(' | ') + (refused.length ? ` — 401 from ${[...new Set(refused)].join(', ')}` : ''))
  for (const ctx of contexts) await ctx.close()
}

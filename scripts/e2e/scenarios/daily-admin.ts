// Issue 29, admin and exports (engineer F), through the screens only: signed in through the forms,
// no API call of its own. At the users' sizes: the desk 1366×768, the wall 1920×1080.
// 29.16       the admin saves a tour, makes a display link (and its QR code) on the desk's 大屏管理;
//             a second browser opens it as the wall, which signs in without a password; the admin
//             names the wall and assigns it the tour (the wall starts it at once), reloads it
//             remotely (it comes back signed in, touring), and finds all of it in 审计日志 by kind.
// 29.11-walls the walls' list names the wall, never its made-up id (wall-xxxx).
// 29.14       工单, 考核排名, 车辆告警 and 审计日志 downloaded as XLSX from their pages and read back
//             (exceljs) against what the page shows; an order's 派单单 in print preview.
import ExcelJS from 'exceljs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true }
const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const TOUR = '日常轮播'
const WALL_NAME = '指挥大厅主屏'

export async function dailyAdminScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  const check = (name: string, ok: boolean, detail = '') => tally.check(`[daily-admin] ${name}`, ok, detail)
  async function open(options: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const ctx = await browser.newContext(options)
    contexts.push(ctx)
    const page = await ctx.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine))
    return page
  }
  async function shoot(page: Page, name: string, scope = 'body'): Promise<void> {
    await page.waitForTimeout(300)
    const file = `daily-admin-${name}.png`
    await page.screenshot({ path: artifactPath(file) })
    const problems = await layoutProblems(page, scope)
    check(`${file}: no clipped, overflowing or overlapping text`, problems.length === 0,
      problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const text = async (page: Page, selector: string) => (await page.locator(selector).first().innerText().catch(() => '')).replace(/\s+/g, ' ').trim()
  /** clicks an export button and reads the file it downloads */
  async function download(page: Page, testid: string): Promise<{ name: string; sheets: Map<string, string[][]> }> {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.click(`[data-testid="${testid}"]`)])
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile((await file.path())!)
    const sheets = new Map<string, string[][]>()
    book.eachSheet((ws) => {
      const rows: string[][] = []
      ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))))
      sheets.set(ws.name, rows)
    })
    return { name: file.suggestedFilename(), sheets }
  }

  try {
    const desk = await open(DESK)
    await signIn(desk, system.origin, 'admin', '/desk/')
    await desk.click('[data-testid="desk-nav-walls"]')
    await desk.locator('[data-testid="desk-walls"][data-loaded="1"]').waitFor({ timeout: 30_000 })

    // ── 29.16 a tour, a display link and its QR code ──
    await desk.click('[data-testid="desk-tour-add"]')
    const i = (await desk.locator('[data-testid^="desk-tour-name-"]').count()) - 1
    await desk.fill(`[data-testid="desk-tour-name-${i}"]`, TOUR)
    await desk.click('[data-testid="desk-tour-save"]')
    await desk.locator('[data-testid="desk-tour-save"]:disabled').waitFor({ timeout: 10_000 }).catch(() => {})
    await desk.locator('[data-testid="desk-wall-link-account"] option').first().waitFor({ state: 'attached', timeout: 10_000 })
    await desk.locator(`[data-testid="desk-wall-link-tour"] option:has-text("${TOUR}")`).waitFor({ state: 'attached', timeout: 10_000 })
    await desk.fill('[data-testid="desk-wall-link-name"]', '会议室侧屏')
    await desk.click('[data-testid="desk-wall-link-make"]')
    const made = await seen(desk, '[data-testid="desk-wall-qr"]')
    const url = await desk.inputValue('[data-testid="desk-wall-link-url"]').catch(() => '')
    check('29.16 the desk makes a display link with a one-time code in its #fragment, and its QR code', made && /^https?:\/\/[^#?]+\/#pair=[A-Za-z0-9_-]{22}$/.test(url), url)
    await desk.locator('[data-testid="desk-wall-link"]').scrollIntoViewIfNeeded()
    await shoot(desk, 'desk-walls-link-1366x768')

    // the wall opens the link in a browser of its own: signed in with no password typed
    const wall = await open(WALL)
    await wall.goto(url)
    const wallUp = await seen(wall, '[data-testid="title-bar"], .screen', 60_000)
    const address = wall.url()
    check('29.16 the wall opens the display link signed in, and the code leaves its address bar', wallUp && !address.includes('pair=') && !(await wall.locator('form input[type="password"]').count()), address)

    // ── 29.11-walls the walls' list names it ──
    const row = desk.locator('[data-testid^="desk-display-wall-"]', { hasText: '会议室侧屏' })
    let listed = false
    for (let k = 0; k < 10 && !listed; k++) {
      await desk.click('[data-testid="desk-walls"] h2 button.link')
      listed = await row.first().waitFor({ timeout: 3_000 }).then(() => true, () => false)
    }
    const list = await text(desk, '[data-testid="desk-displays"]')
    check('29.11 the walls\' list shows the wall by the link\'s name, not its id', listed && !/wall-[A-Za-z0-9]{16}/.test(list), list.slice(0, 200))

    // ── 29.16 name it and assign the tour: the wall starts it at once ──
    await row.first().locator('[data-testid="desk-wall-edit"]').click()
    await desk.waitForSelector('[data-testid="desk-wall-dialog"]')
    await desk.fill('[data-testid="desk-wall-name"]', WALL_NAME)
    await desk.selectOption('[data-testid="desk-wall-tour"]', { label: TOUR })
    await desk.click('[data-testid="desk-wall-save"]')
    await desk.waitForSelector('[data-testid="desk-wall-dialog"]', { state: 'detached', timeout: 10_000 }).catch(() => undefined)
    const named = desk.locator('[data-testid^="desk-display-wall-"]', { hasText: WALL_NAME })
    check('29.16 the admin names the wall on the desk', await named.first().waitFor({ timeout: 5_000 }).then(() => true, () => false), await text(desk, '[data-testid="desk-displays"]'))
    // a wall drawing WebGL on the CPU (no GPU here) answers slowly: the tour is running once the chip shows its step
    const running = `[data-testid="tour-chip"][data-tour-step="0"]:has-text("${TOUR}")`
    const touring = await seen(wall, running, 45_000)
    check('29.16 the wall runs the tour assigned to it on the desk, without a reload', touring, await text(wall, '[data-testid="tour-chip"]'))
    await shoot(wall, 'wall-touring-1920x1080')

    // ── 29.16 reload it remotely ──
    await wall.evaluate(() => ((window as Window & { __beforeReload?: boolean }).__beforeReload = true))
    const reloaded = wall.waitForEvent('load', { timeout: 30_000 }).then(() => true, () => false)
    await named.first().locator('[data-testid="desk-wall-reload"]').click()
    const notice = await text(desk, '[data-testid="desk-notice"]')
    const loaded = await reloaded
    const fresh = await wall.evaluate(() => !(window as Window & { __beforeReload?: boolean }).__beforeReload).catch((e: Error) => e.message)
    const stillTouring = await seen(wall, running, 60_000)
    const signedOut = await wall.locator('form input[type="password"]').count()
    check('29.16 远程刷新 reloads the wall, which comes back signed in and touring', loaded && fresh === true && stillTouring && !signedOut,
      `${notice}; load ${loaded}, new page ${fresh}, touring ${stillTouring}, sign-in form ${signedOut}`)
    await shoot(desk, 'desk-walls-named-1366x768', '[data-testid="desk-walls"]')

    // ── 29.16 the admin's actions in 审计日志, by kind ──
    await desk.click('[data-testid="desk-nav-audit"]')
    await desk.waitForSelector('[data-testid="desk-audit-kind"]')
    await desk.selectOption('[data-testid="desk-audit-kind"]', 'walls')
    await desk.waitForTimeout(800)
    const actions = await desk.locator('[data-testid^="desk-audit-"][data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))
    const want = ['toursSave', 'wallLink', 'wallPaired', 'wallUpdate', 'wallReload']
    check('29.16 审计日志 lists the tour saved, the link made and used, the wall named and reloaded (kind 大屏与轮播)',
      want.every((a) => actions.includes(a)) && actions.every((a) => want.includes(a ?? '')), actions.join(','))
    await shoot(desk, 'desk-audit-walls-1366x768')

    // ── 29.14 exports ──
    const audit = await download(desk, 'desk-audit-export')
    const auditRows = audit.sheets.get('审计日志') ?? []
    check('29.14 审计日志 downloads as XLSX with the rows shown', audit.name.endsWith('.xlsx') && auditRows.length - 1 === actions.length && auditRows.slice(1).every((r) => r[4] === '大屏与轮播'),
      `${audit.name}: ${auditRows.length - 1} rows`)

    await desk.click('[data-testid="desk-nav-inbox"]')
    await desk.click('[data-testid="desk-tab-all"]')
    await desk.waitForSelector('[data-testid="desk-inbox"][data-loading="0"]')
    await desk.selectOption('[data-testid="desk-filter-state"]', 'closed')
    await desk.waitForSelector('[data-testid="desk-inbox"][data-loading="0"]')
    await desk.waitForTimeout(500)
    const shownIds = await desk.locator('[data-testid^="desk-order-"]').evaluateAll((rows) =>
      rows.map((r) => /^desk-order-(\d+)$/.exec(r.getAttribute('data-testid') ?? '')?.[1]).filter(Boolean).map(Number))
    const orders = await download(desk, 'desk-orders-export')
    const orderRows = orders.sheets.get('工单') ?? []
    check('29.14 工单 downloads as XLSX with the list\'s filter: its first rows are the rows shown, all 已关闭',
      orderRows.length - 1 >= shownIds.length && shownIds.length > 0 && shownIds.every((id, k) => Number(orderRows[k + 1]?.[0]) === id) && orderRows.slice(1).every((r) => r[2] === '已关闭'),
      `${orders.name}: ${orderRows.length - 1} rows, ${shownIds.length} shown`)

    await desk.click('[data-testid="desk-nav-rankings"]')
    await desk.waitForSelector('[data-testid="desk-rank-villages"] tbody tr')
    const villagesShown = await desk.locator('[data-testid="desk-rank-villages"] tbody tr').count()
    const ranks = await download(desk, 'desk-rankings-export')
    check('29.14 考核排名 downloads as XLSX: 村, 网格员 and 县直部门, the villages as shown',
      [...ranks.sheets.keys()].join() === '村,网格员,县直部门' && (ranks.sheets.get('村')?.length ?? 0) - 1 === villagesShown, `${ranks.name}: ${villagesShown} villages shown`)

    await desk.click('[data-testid="desk-nav-alerts"]')
    await desk.click('[data-testid="desk-alerts-all"]')
    await desk.waitForTimeout(800)
    const alertsShown = await desk.locator('[data-testid^="desk-alert-"]').evaluateAll((rows) =>
      rows.map((r) => /^desk-alert-(\d+)$/.exec(r.getAttribute('data-testid') ?? '')?.[1]).filter(Boolean).map(Number))
    const alerts = await download(desk, 'desk-alerts-export')
    const alertRows = alerts.sheets.get('车辆告警') ?? []
    check('29.14 车辆告警 downloads as XLSX with the alerts shown', alertRows.length - 1 >= alertsShown.length && alertsShown.every((id, k) => Number(alertRows[k + 1]?.[0]) === id),
      `${alerts.name}: ${alertRows.length - 1} rows, ${alertsShown.length} shown`)
    const exportsLogged = await (async () => {
      await desk.click('[data-testid="desk-nav-audit"]')
      await desk.selectOption('[data-testid="desk-audit-kind"]', 'exports')
      await desk.waitForTimeout(800)
      return desk.locator('[data-testid^="desk-audit-"][data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))
    })()
    check('29.14 every export is in 审计日志', ['auditExport', 'workOrderExport', 'rankingsExport', 'alertsExport'].every((a) => exportsLogged.includes(a)), exportsLogged.join(','))

    // ── 29.14 派单单 in print preview ──
    await desk.click('[data-testid="desk-nav-inbox"]')
    await desk.waitForSelector('[data-testid="desk-inbox"][data-loading="0"]')
    const first = shownIds[0]
    await desk.click(`[data-testid="desk-order-${first}"]`)
    await desk.waitForSelector('[data-testid="desk-order-print-button"]')
    await desk.emulateMedia({ media: 'print' })
    const sheet = await text(desk, '[data-testid="desk-order-print"]')
    const shellHidden = !(await desk.locator('[data-testid="desk-order-page"]').isVisible())
    await desk.screenshot({ path: artifactPath('daily-admin-order-print-1366x768.png'), fullPage: true })
    check('29.14 the 派单单 prints alone: number, category, place, steps with times and actors, photos, signature lines',
      shellHidden && sheet.includes('工单派单单') && sheet.includes(String(first)) && sheet.includes('办理过程') && sheet.includes('现场照片') && sheet.includes('承办人签字'), sheet.slice(0, 200))
    await desk.emulateMedia({ media: 'screen' })
    check('29.14 the 派单单 is not on the screen', !(await desk.locator('[data-testid="desk-order-print"]').isVisible()))
  } finally {
    for (const c of contexts) await c.close()
  }
  check('no request left the origin', foreign.length === 0, foreign.slice(0, 3).join(' | '))
  check('no page or console errors', errors.length === 0, errors.slice(0, 3).join(' | '))
}

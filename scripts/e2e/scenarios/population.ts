// 人口双实 and the data work around it on the desk (/desk/), as its people do it: a village
// cadre creates a household at a point on the map, registers a resident (a wrong ID number is
// caught in the form, a number already held is refused with the server's reason), corrects her
// and reads her history; 民政局 downloads its template, sees a bad file's rows and columns, then
// previews and imports a good one (she becomes 低保对象); her grid worker finds her in the
// overdue ledger, follows her up and exports the ledger for a reason (audited); a cadre records
// party attendance; and a cadre's notice goes through a leader's approval onto a wall that is
// already open, within seconds and without a reload. The cadre also imports 公安's household and
// 户籍 lists (a dry run previewed, then applied) and places on the map the household that came
// without coordinates (待落图). Every view is photographed at 1366×768 or
// 1920×1080 and its text checked for overflow and overlap.
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { makeIdNumber } from '../../../geo/id-number.ts'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const SIZES = { small: { width: 1366, height: 768 }, large: { width: 1920, height: 1080 } } as const
type Size = keyof typeof SIZES

export async function populationScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async <T = Record<string, unknown>>(username: string, path: string): Promise<T> => {
    const res = await fetch(`${system.origin}${path}`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, username)}` } })
    return (await res.json()) as T
  }
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  /** users whose page asked for a screen file another system's start had just rebuilt away (see tool()) */
  const rebuilt = new Set<string>()
  async function open(username: string, size: Size = 'small', path = '/desk/'): Promise<Page> {
    const context = await browser.newContext({ viewport: SIZES[size], locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
    contexts.push(context)
    const page = await context.newPage()
    watch(page, username)
    await signIn(page, system.origin, username, path)
    return page
  }
  function watch(page: Page, username: string): void {
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine.map((e) => `${username}: ${e}`)))
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname
      if ((r.status() === 404 || r.status() === 503) && !path.startsWith('/api/')) rebuilt.add(username)
    })
  }
  async function shoot(page: Page, name: string, scope = 'body'): Promise<void> {
    await page.waitForTimeout(300)
    await page.screenshot({ path: artifactPath(`desk-${name}.png`) })
    const problems = await layoutProblems(page, scope)
    tally.check(`[population] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 6).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const gone = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { state: 'detached', timeout }).then(() => true, () => false)
  const text = async (page: Page, testid: string) => (await page.locator(`[data-testid="${testid}"]`).first().innerText()).trim()
  /** a tool's view, loaded on first use (reloaded once if another system rebuilt its chunk away) */
  async function tool(page: Page, name: string): Promise<boolean> {
    await page.click(`[data-testid="desk-nav-${name}"]`)
    const found = await page.waitForSelector(`[data-testid="desk-${name}"], [data-testid="desk-view-failed"]`, { timeout: 10_000 }).catch(() => null)
    if ((await found?.getAttribute('data-testid')) === 'desk-view-failed') {
      await page.reload()
      return seen(page, `[data-testid="desk-${name}"]`)
    }
    return !!found
  }
  const nav = (page: Page) => page.locator('[data-testid^="desk-nav-"]').evaluateAll((a) => a.map((x) => x.getAttribute('data-testid')!.slice(9)))
  const notice = async (page: Page) => ((await seen(page, '[data-testid="desk-notice"]', 5000)) ? text(page, 'desk-notice') : '')

  const stamp = Date.now().toString(36)
  const grids = await api<{ features: { properties: { id: number; code: string; name: string; villageName: string; label: [number, number] } }[] }>('cadre-3', '/api/grids?village=3')
  const firstGrid = grids.features[0].properties

  // ── the village cadre: a new household on the map, a resident registered, corrected, her history ──
  const c = await open('cadre-3')
  const cadreNav = await nav(c)
  tally.check('[population] the cadre\'s menu has 人口双实, 台账, 三务公开 and 党建', ['population', 'ledgers', 'notices', 'party'].every((v) => cadreNav.includes(v)) && !cadreNav.includes('deptimport'), cadreNav.join(','))
  tally.check('[population] 人口双实 opens', await tool(c, 'population'))
  await c.selectOption('[data-testid="desk-pop-grid"]', String(firstGrid.id))
  tally.check('[population] a grid lists its households', await seen(c, '[data-testid^="desk-pop-household-"]'))
  await c.click('[data-testid="desk-pop-new-household"]')
  await seen(c, '[data-testid="desk-point-map"][data-ready="1"]', 30_000)
  const canvas = (await c.locator('[data-testid="desk-point-map"] canvas').boundingBox())!
  await c.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2)
  const placed = await seen(c, '[data-testid="desk-point-grid"]', 3000) ? await text(c, 'desk-point-grid') : ''
  tally.check('[population] a click on the map picks the dwelling\'s place, in a grid of the village', placed.includes(firstGrid.villageName), placed)
  await c.fill('[data-testid="desk-household-address"]', `店子镇${firstGrid.villageName}新村组`)
  await c.fill('[data-testid="desk-household-number"]', `E${stamp}`)
  await shoot(c, 'household-dialog-1366', '[data-testid="desk-household-dialog"]')
  await c.click('[data-testid="desk-household-submit"]')
  await gone(c, '[data-testid="desk-household-dialog"]')
  const householdId = Number(await c.locator('[data-testid="desk-pop-household"]').getAttribute('data-household').catch(() => '0'))
  const household = householdId ? await api<{ gridId: number; members: unknown[] }>('cadre-3', `/api/households/${householdId}`) : null
  tally.check('[population] 立户: the new household opens, empty, in its grid', !!household && household.members.length === 0, `household ${householdId}, grid ${household?.gridId}`)
  const gridId = household?.gridId ?? firstGrid.id

  const residentsPosted: string[] = []
  c.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/residents') residentsPosted.push(r.url())
  })
  const idNumber = makeIdNumber('371326', '1990-05-05', 101 + 2 * Math.floor(Math.random() * 400))
  const wrong = idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1')
  await c.click('[data-testid="desk-pop-register"]')
  await c.waitForSelector('[data-testid="desk-resident-dialog"]')
  await c.fill('[data-testid="desk-resident-name"]', '赵春燕')
  await c.fill('[data-testid="desk-resident-idnumber"]', wrong)
  await c.selectOption('[data-testid="desk-resident-gender"]', '男')
  await c.fill('[data-testid="desk-resident-birth"]', '1990-05-05')
  await c.fill('[data-testid="desk-resident-relation"]', '户主')
  await c.click('[data-testid="desk-resident-submit"]')
  const formError = await seen(c, '[data-testid="desk-resident-error"]', 2000) ? await text(c, 'desk-resident-error') : ''
  tally.check('[population] a wrong check digit is caught in the form, nothing sent', formError.includes('校验码') && residentsPosted.length === 0, formError)
  await c.fill('[data-testid="desk-resident-idnumber"]', idNumber)
  await c.fill('[data-testid="desk-resident-phone"]', '13912345678')
  await c.selectOption('[data-testid="desk-resident-event"]', 'moveIn')
  await c.click('[data-testid="desk-resident-items"]')
  await c.selectOption('[data-testid="desk-item-input-hukouType"]', '农业户口')
  await c.fill('[data-testid="desk-item-input-occupation"]', '务农')
  await shoot(c, 'resident-dialog-1366', '[data-testid="desk-resident-dialog"]')
  await c.click('[data-testid="desk-resident-submit"]')
  await gone(c, '[data-testid="desk-resident-dialog"]')
  const residentId = Number((await notice(c)).match(/居民编号 (\d+)/)?.[1] ?? 0)
  tally.check('[population] 登记: the resident is registered and listed in the household, masked',
    residentId > 0 && await seen(c, `[data-testid="desk-pop-resident-${residentId}"]`) && (await text(c, `desk-pop-resident-name-${residentId}`)) === '赵*燕', `resident ${residentId}`)

  // the same ID number again: the server refuses it and names the household that holds it
  await c.click('[data-testid="desk-pop-register"]')
  await c.fill('[data-testid="desk-resident-name"]', '赵春燕')
  await c.fill('[data-testid="desk-resident-idnumber"]', idNumber)
  await c.fill('[data-testid="desk-resident-relation"]', '其他')
  await c.click('[data-testid="desk-resident-submit"]')
  const dup = await seen(c, '[data-testid="desk-resident-error"]', 5000) ? await text(c, 'desk-resident-error') : ''
  tally.check('[population] a number already registered: the server\'s reason, naming the household', dup.includes(`household ${householdId}`), dup)
  await c.keyboard.press('Escape')
  await gone(c, '[data-testid="desk-resident-dialog"]', 3000)

  await c.click(`[data-testid="desk-pop-edit-${residentId}"]`)
  await c.waitForSelector('[data-testid="desk-resident-dialog"]')
  const hidden = await c.locator('[data-testid="desk-item-input-subsistence"]').inputValue()
  await c.fill('[data-testid="desk-item-input-occupation"]', '个体经营')
  await c.fill('[data-testid="desk-resident-relation"]', '本人')
  await shoot(c, 'resident-edit-1366', '[data-testid="desk-resident-dialog"]')
  await c.click('[data-testid="desk-resident-submit"]')
  await gone(c, '[data-testid="desk-resident-dialog"]')
  const saved = await notice(c)
  tally.check('[population] 修改 sends only what changed (a sensitive item stays 保持不变)', saved.includes('2 项') && hidden.includes('keep'), saved)
  await c.click(`[data-testid="desk-pop-history-${residentId}"]`)
  await seen(c, '[data-testid="desk-history"]')
  const kinds = await c.locator('[data-testid^="desk-history-"][data-kind]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-kind')))
  const historyText = await c.locator('[data-testid="desk-history"]').innerText()
  tally.check('[population] 历史: the move-in and both changes, newest first, masked', JSON.stringify(kinds) === '["update","update","moveIn"]'
    && historyText.includes('务农 → 个体经营') && historyText.includes('赵*燕') && !historyText.includes('赵春燕'), `${kinds.join(',')}: ${historyText.replace(/\s+/g, ' ').slice(0, 300)}`)
  await shoot(c, 'history-1366', '[data-testid="desk-history-dialog"]')
  await c.keyboard.press('Escape')
  await c.click(`[data-testid="desk-pop-resident-name-${residentId}"]`)
  await shoot(c, 'population-cadre-1366')

  // ── the village cadre: 公安's lists imported, the household without coordinates placed (待落图) ──
  tally.check('[population] 户籍与落图 opens on 待落图', await tool(c, 'households') && await seen(c, '[data-testid="desk-unplaced"]'))
  await c.click('[data-testid="desk-households-tab-households"]')
  const [codeA, codeB] = [`E2E${stamp}A`, `E2E${stamp}B`]
  const householdsCsv = ['户号,地址,经度,纬度,网格编码', `${codeA},店子镇${firstGrid.villageName}落图组1号,${firstGrid.label[0]},${firstGrid.label[1]},`, `${codeB},店子镇${firstGrid.villageName}落图组2号,,,${firstGrid.code}`].join('\n')
  await c.setInputFiles('[data-testid="desk-households-file"]', { name: '标准地址.csv', mimeType: 'text/csv', buffer: Buffer.from(householdsCsv) })
  const previewed = await seen(c, '[data-testid="desk-households-preview-rows"]')
  tally.check('[population] 导入住户: the dry run previews 2 new households, 1 of them 待落图', previewed && (await text(c, 'desk-households-summary')).includes('待落图 1 户'), await text(c, 'desk-households-summary').catch(() => ''))
  await shoot(c, 'households-import-1366')
  await c.click('[data-testid="desk-households-submit"]')
  await seen(c, '[data-testid="desk-households-done"]')
  await c.click('[data-testid="desk-households-tab-residents"]')
  const [idA, idB] = [makeIdNumber('371326', '1961-02-03', 601 + 2 * Math.floor(Math.random() * 150)), makeIdNumber('371326', '1963-04-05', 600 + 2 * Math.floor(Math.random() * 150))]
  const residentsCsv = ['身份证号,姓名,性别,出生日期,与户主关系,户号,低保', `${idA},钱落图,男,1961-02-03,户主,${codeA},是`, `${idB},孙落图,女,1963-04-05,户主,${codeB},否`].join('\n')
  await c.setInputFiles('[data-testid="desk-residents-file"]', { name: '户籍.csv', mimeType: 'text/csv', buffer: Buffer.from(residentsCsv) })
  tally.check('[population] 导入居民: the dry run previews 2 people, masked', await seen(c, '[data-testid="desk-residents-preview-rows"]')
    && (await c.locator('[data-testid="desk-residents-preview-rows"]').innerText()).includes('钱*图'))
  await shoot(c, 'residents-import-1366')
  await c.click('[data-testid="desk-residents-submit"]')
  await seen(c, '[data-testid="desk-residents-done"]')
  const waiting = await api<{ items: { id: number; code: string; residents: number }[] }>('cadre-3', `/api/households?unplaced=1&q=${codeB}`)
  const unplacedId = waiting.items[0]?.id ?? 0
  tally.check('[population] the import is applied: one household waits to be placed, with its resident', waiting.items.length === 1 && waiting.items[0].residents === 1, JSON.stringify(waiting.items))
  await c.click('[data-testid="desk-households-tab-unplaced"]')
  await c.fill('[data-testid="desk-unplaced-q"]', codeB)
  await c.click(`[data-testid="desk-unplaced-${unplacedId}"]`)
  await seen(c, '[data-testid="desk-unplaced-map"][data-ready="1"]', 30_000)
  await c.waitForTimeout(500)
  // its grid is known (网格编码): the map is centred inside it, so the middle of the map is a place in the grid
  const mapBox = (await c.locator('[data-testid="desk-unplaced-map"] canvas').boundingBox())!
  await c.mouse.click(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 2)
  const where = await seen(c, '[data-testid="desk-unplaced-where"]', 3000) ? await text(c, 'desk-unplaced-where') : ''
  tally.check('[population] 待落图: a household picked and a click on the map name the grid it would go to', where.includes(firstGrid.name), where)
  await shoot(c, 'unplaced-1366')
  await c.click('[data-testid="desk-unplaced-confirm"]')
  await gone(c, `[data-testid="desk-unplaced-${unplacedId}"]`)
  const placedNow = await api<{ gridId: number | null; location: [number, number] | null }>('cadre-3', `/api/households/${unplacedId}`)
  tally.check('[population] …confirmed, it has its point in that grid and leaves the list', !!placedNow.location && placedNow.gridId === firstGrid.id, JSON.stringify(placedNow))

  // ── 民政局 imports its list: a template, a bad file, a preview, the import ──
  const dept = await open('dept-2')
  // 民生资金 is offered once the departments' names are read (it is 民政局's alone)
  await seen(dept, '[data-testid="desk-nav-welfare"]')
  tally.check('[population] 民政局\'s menu: its inbox, 民生资金 and its data import', JSON.stringify(await nav(dept)) === '["inbox","welfare","deptimport"]')
  await tool(dept, 'deptimport')
  await seen(dept, '[data-testid="desk-deptimport-items"]')
  const [download] = await Promise.all([dept.waitForEvent('download'), dept.click('[data-testid="desk-deptimport-template"]')])
  const template = readFileSync((await download.path())!, 'utf8')
  tally.check('[population] the template names 民政局\'s items under the header', download.suggestedFilename().includes('民政局') && template.includes('身份证号,数据项,值') && template.includes(',低保,'), download.suggestedFilename())
  const bad = ['身份证号,数据项,值', `${idNumber},低保,是`, '371326199001010000,低保,是', `${idNumber},民族,汉族`, `${idNumber},婚姻状况,离婚`].join('\n')
  await dept.setInputFiles('[data-testid="desk-deptimport-file"]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await seen(dept, '[data-testid="desk-deptimport-errors"]')
  tally.check('[population] a bad file lists each bad row by row and column, and 导入 stays off',
    await seen(dept, '[data-testid="desk-deptimport-error-3-身份证号"]', 1000) && await seen(dept, '[data-testid="desk-deptimport-error-4-数据项"]', 1000)
    && await seen(dept, '[data-testid="desk-deptimport-error-5-值"]', 1000) && await dept.locator('[data-testid="desk-deptimport-submit"]').isDisabled())
  await shoot(dept, 'deptimport-errors-1366')
  const good = ['身份证号,数据项,值', `${idNumber},低保,是`, `${idNumber},婚姻状况,已婚`].join('\n')
  await dept.setInputFiles('[data-testid="desk-deptimport-file"]', { name: `低保名单-${stamp}.csv`, mimeType: 'text/csv', buffer: Buffer.from(good) })
  await seen(dept, '[data-testid="desk-deptimport-changes"]')
  const change = await text(dept, 'desk-deptimport-change-2')
  tally.check('[population] a good file is previewed: 2 changes, each its row, masked ID number, item and new value (no name, no current value)',
    (await text(dept, 'desk-deptimport-changed')) === '2' && change.includes('低保') && change.includes('是') && !change.includes('→') && !change.includes(idNumber), change)
  await shoot(dept, 'deptimport-preview-1366')
  await dept.click('[data-testid="desk-deptimport-submit"]')
  const applied = await seen(dept, '[data-testid="desk-deptimport-done"]')
  const after = await api<{ items: Record<string, unknown> }>('cadre-3', `/api/residents/${residentId}`)
  tally.check('[population] 导入 applies it and lists the import', applied && after.items?.maritalStatus === '已婚'
    && (await dept.locator('[data-testid="desk-deptimport-past"]').innerText()).includes(`低保名单-${stamp}.csv`))

  await dept.close()

  // ── her grid worker: the overdue ledger, a follow-up, the export for a reason ──
  const g = await open(`gw-${gridId}`, 'large')
  tally.check('[population] the grid worker\'s menu has 人口双实 and 台账, not 三务公开', (await nav(g)).includes('ledgers') && !(await nav(g)).includes('notices'))
  await tool(g, 'ledgers')
  await g.waitForSelector('[data-testid="desk-ledgers"][data-loading="0"]')
  await g.selectOption('[data-testid="desk-ledger-group"]', 'care:低保对象')
  await g.check('[data-testid="desk-ledger-overdue"]')
  const row = `[data-testid="desk-ledger-${residentId}"][data-tag="低保对象"]`
  tally.check('[population] 仅超期: she is in the 低保对象 ledger, never followed up, marked overdue', await seen(g, `${row}[data-overdue="1"]`) && await seen(g, `[data-testid="desk-ledger-late-${residentId}"]`, 1000))
  const rows = await g.locator('[data-testid^="desk-ledger-"][data-overdue]').evaluateAll((r) => r.map((x) => x.getAttribute('data-overdue')))
  tally.check('[population] …and every row listed is overdue', rows.length > 0 && rows.every((o) => o === '1'), `${rows.length} rows: ${rows.join('')}`)
  await shoot(g, 'ledgers-overdue-1920')
  await g.click(`[data-testid="desk-ledger-follow-${residentId}"]`)
  await g.fill('[data-testid="desk-follow-note"]', '入户核实低保材料，家庭情况属实')
  await shoot(g, 'follow-dialog-1920', '[data-testid="desk-follow-dialog"]')
  await g.click('[data-testid="desk-follow-submit"]')
  tally.check('[population] a follow-up from the row takes her off the overdue list', await gone(g, row))
  await g.uncheck('[data-testid="desk-ledger-overdue"]')
  await seen(g, `${row}[data-overdue="0"]`)
  await g.click('[data-testid="desk-ledger-export"]')
  await g.click('[data-testid="desk-export-submit"]')
  const needsReason = await seen(g, '[data-testid="desk-export-error"]', 2000)
  await g.fill('[data-testid="desk-export-reason"]', '月度随访计划报镇综治中心')
  const [xlsx] = await Promise.all([g.waitForEvent('download'), g.click('[data-testid="desk-export-submit"]')])
  const audit = await api<{ entries: { username: string; action: string; reason: string }[] }>('admin', '/api/audit?limit=5')
  tally.check('[population] 导出 asks for a reason, saves the XLSX and is audited', needsReason && xlsx.suggestedFilename().endsWith('.xlsx')
    && audit.entries.some((e) => e.username === `gw-${gridId}` && e.action === 'ledgerExport' && e.reason.includes('月度随访计划')), xlsx.suggestedFilename())

  await g.close()

  // ── party attendance ──
  await tool(c, 'party')
  // last month, typed into the app's month field (MonthField: 'YYYY-MM', no native control)
  const beijingNow = new Date(Date.now() + 8 * 3_600_000)
  const month = new Date(Date.UTC(beijingNow.getUTCFullYear(), beijingNow.getUTCMonth() - 1, 1)).toISOString().slice(0, 7)
  await c.fill('[data-testid="desk-party-month"]', month)
  for (const [kind, attended] of [['activityDay', '118'], ['threeMeetings', '120']]) {
    await c.selectOption('[data-testid="desk-party-kind"]', kind)
    await c.fill('[data-testid="desk-party-expected"]', '131')
    await c.fill('[data-testid="desk-party-attended"]', attended)
    await c.click('[data-testid="desk-party-submit"]')
    // saved and read back (the form is refilled from what was read, so wait before the next)
    await c.waitForFunction((want) => document.querySelector('[data-testid="desk-notice"]')?.textContent?.includes(want), `实到 ${attended} / 应到 131`, { timeout: 10_000 }).catch(() => undefined)
  }
  tally.check('[population] 党建: a month\'s 活动日 and 三会一课 attendance are recorded and read back', await seen(c, `[data-testid="desk-party-${month}-threeMeetings"]`)
    && (await text(c, `desk-party-${month}-threeMeetings`)) === '91.6%' && (await text(c, `desk-party-${month}-activityDay`)) === '90.1%',
    `${month}: ${await text(c, `desk-party-${month}`).catch(() => 'no row')}`)
  await shoot(c, 'party-cadre-1366')

  // ── a notice through approval onto a wall that is already open ──
  const wallToken = await apiLogin(system.origin, 'display')
  const wallContext = await browser.newContext({ viewport: SIZES.large, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  contexts.push(wallContext)
  const wall = await wallContext.newPage()
  watch(wall, 'wall')
  await wall.goto(`${system.origin}/#token=${wallToken}`)
  await wall.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).catch(() => undefined)
  await wall.evaluate(() => ((window as unknown as { __e2eSameLoad: boolean }).__e2eSameLoad = true))

  const title = `${firstGrid.villageName}E2E公示${stamp}`
  await tool(c, 'notices')
  await c.click('[data-testid="desk-notice-new"]')
  await c.selectOption('[data-testid="desk-notice-category"]', '财务公开')
  await c.fill('[data-testid="desk-notice-title"]', title)
  await c.fill('[data-testid="desk-notice-body"]', '本月发放低保资金 12,300 元，共 41 人。监督电话：0539-1234567')
  const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 180, b: 120 } } }).jpeg().toBuffer()
  await c.setInputFiles('[data-testid="desk-dialog-photos"]', { name: 'gongshi.jpg', mimeType: 'image/jpeg', buffer: photo })
  await seen(c, '[data-testid="desk-dialog-photo-list"] img')
  await shoot(c, 'notice-dialog-1366', '[data-testid="desk-notice-dialog"]')
  await c.click('[data-testid="desk-notice-submit"]')
  await gone(c, '[data-testid="desk-notice-dialog"]')
  const draftId = Number((await c.locator('[data-testid^="desk-notice-"][data-state="submitted"]').first().getAttribute('data-testid'))?.split('-').pop())
  tally.check('[population] the cadre drafts and submits a notice', draftId > 0 && (await text(c, `desk-notice-${draftId}`)).includes(title))
  await shoot(c, 'notices-cadre-1366')

  const l = await open('leader', 'large')
  const leaderNav = await nav(l)
  tally.check('[population] the leader\'s menu has 台账 and 三务公开, not 人口双实', leaderNav.includes('notices') && leaderNav.includes('ledgers') && !leaderNav.includes('population'), leaderNav.join(','))
  await tool(l, 'notices')
  const photoId = (await api<{ id: number; photoIds: number[] }[]>('leader', '/api/notices/drafts?state=submitted')).find((d) => d.id === draftId)?.photoIds[0]
  await l.click(`[data-testid="desk-notice-decide-${draftId}"]`)
  const attached = await seen(l, `[data-testid="desk-attached-photo-${photoId}"]`)
  const refusedPhoto = await l.locator(`[data-testid="desk-attached-photo-${photoId}"]`).getAttribute('data-refused').catch(() => null)
  tally.check('[population] the leader deciding on the notice sees its photo', attached && !refusedPhoto,
    refusedPhoto ? `/api/photos/${photoId} answered ${refusedPhoto} to the leader` : 'shown')
  await l.click('[data-testid="desk-decision-submit"]')
  const mustChoose = await seen(l, '[data-testid="desk-decision-error"]', 2000)
  await l.click('[data-testid="desk-decision-approve"]')
  await shoot(l, 'decision-dialog-1920', '[data-testid="desk-decision-dialog"]')
  const approvedAt = Date.now()
  await l.click('[data-testid="desk-decision-submit"]')
  await gone(l, '[data-testid="desk-decision-dialog"]')
  const published = await notice(l)
  const drafts = await api<{ id: number; state: string; noticeId: number | null }[]>('leader', '/api/notices/drafts?state=published')
  tally.check('[population] the leader must choose, reads it with its photo, and publishes it', mustChoose && published.includes('已发布')
    && drafts.some((d) => d.id === draftId && d.noticeId !== null), published)
  const onWall = await wall.waitForFunction((t) => document.body.textContent?.includes(t) ?? false, title, { timeout: 10_000 }).then(() => true, () => false)
  const sameLoad = await wall.evaluate(() => (window as unknown as { __e2eSameLoad?: boolean }).__e2eSameLoad === true)
  tally.check('[population] a cadre publishes a notice through approval and it appears on the wall (村级事务), without a reload',
    onWall && sameLoad, `${((Date.now() - approvedAt) / 1000).toFixed(1)} s after 发布`)
  await wall.screenshot({ path: artifactPath('desk-notice-on-wall-1920.png') })
  await l.click('[data-testid="desk-notice-tab-all"]')
  await shoot(l, 'notices-leader-1920')
  // the wall's map and the desks' maps draw in software here: close what is done before the next
  for (const p of [wall, l, c]) await p.close()

  // ── the admin: every new tool at both sizes ──
  for (const size of ['small', 'large'] as const) {
    const a = await open('admin', size)
    const px = size === 'small' ? '1366' : '1920'
    await tool(a, 'population')
    await a.selectOption('[data-testid="desk-pop-village"]', '3')
    await a.selectOption('[data-testid="desk-pop-grid"]', String(gridId))
    await a.click(`[data-testid="desk-pop-household-${householdId}"]`)
    await seen(a, `[data-testid="desk-pop-resident-${residentId}"]`)
    await a.click(`[data-testid="desk-pop-resident-name-${residentId}"]`)
    await shoot(a, `population-admin-${px}`)
    await a.click(`[data-testid="desk-pop-event-${residentId}"]`)
    await a.waitForSelector('[data-testid="desk-event-dialog"]')
    await shoot(a, `event-dialog-${px}`, '[data-testid="desk-event-dialog"]')
    await a.keyboard.press('Escape')
    await tool(a, 'ledgers')
    await a.waitForSelector('[data-testid="desk-ledgers"][data-loading="0"]')
    await shoot(a, `ledgers-admin-${px}`)
    await a.click('[data-testid="desk-ledger-periods"]')
    await seen(a, '[data-testid="desk-periods-dialog"] tbody tr')
    await shoot(a, `periods-dialog-${px}`, '[data-testid="desk-periods-dialog"]')
    await a.keyboard.press('Escape')
    for (const name of ['notices', 'party', 'deptimport']) {
      tally.check(`[population] admin ${name} (${px})`, await tool(a, name))
      if (name === 'party') await a.selectOption('[data-testid="desk-party-village"]', '3')
      if (name === 'deptimport') await a.selectOption('[data-testid="desk-deptimport-department"]', '2')
      await a.waitForTimeout(500)
      await shoot(a, `${name}-admin-${px}`)
    }
    await a.close()
  }

  for (const ctx of contexts) for (const p of ctx.pages()) await p.close()
  tally.check('[population] zero requests outside the origin', foreign.length === 0, foreign.slice(0, 5).join(', '))
  // the browser logs every 4xx answer; the bad file's 422 and the duplicate ID number's 409 are the test's own
  const who = (e: string) => e.split(':')[0]
  const unexpected = errors.filter((e) => !/status of (422|409)/.test(e)
    && !(/status of (404|503)/.test(e) && rebuilt.has(who(e))))
  tally.check('[population] no page or console errors (besides the 422 and 409 asked for)', unexpected.length === 0, [...new Set(unexpected)].slice(0, 5).join(' | '))
  for (const ctx of contexts) await ctx.close()
}

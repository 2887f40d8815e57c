// 民生资金 (issue 28: 2) as its people do it: 民政局's account opens 民生资金 on the desk, sees a
// bad file's rows named and 导入 kept off, previews a payment list (身份证号 per row, summed per
// village; nothing written yet, no one named),
// imports it; a leader publishes one village's month; a resident at /r/ (no account, a phone)
// opens 公开, picks the village and reads the published payments, with no person named. Every
// view is photographed (1366×768 for the desk, 390×844 for the phone) and its text checked for
// overflow and overlap.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { join } from 'node:path'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { apiLogin, artifactPath, ROOT, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'
import { liveIdNumber } from '../fixture-people.ts'

const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
// the bad file's preview is a 422 on purpose
const EXPECTED = /status of 422/

/** the demo's fixtures, as the system under test loaded them */
const fixture = <T>(name: string): T[] => gunzipSync(readFileSync(join(ROOT, 'fixtures', `${name}.ndjson.gz`))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as T)
/** ID numbers of n residents of a village (the fixtures' people all live there now) */
function peopleOf(villageId: number, n: number): string[] {
  const grids = new Set(fixture<{ id: number; village_id: number }>('grids').filter((g) => g.village_id === villageId).map((g) => g.id))
  const households = new Set(fixture<{ id: number; grid_id: number }>('households').filter((h) => grids.has(h.grid_id)).map((h) => h.id))
  return fixture<{ household_id: number; id_number: string; birth_date: string }>('residents').filter((r) => households.has(r.household_id)).slice(0, n).map((r) => liveIdNumber(r))
}

type Month = { month: string | null; villages: { villageId: number; villageName: string; publishedAt: string | null; funds: { category: string; amountYuan: number; recipients: number }[] }[] }

export async function fundsScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async <T>(username: string, path: string): Promise<T> => {
    const res = await fetch(`${system.origin}${path}`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, username)}` } })
    return (await res.json()) as T
  }
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  async function open(options: typeof DESK | typeof PHONE, who: string): Promise<Page> {
    const context = await browser.newContext(options)
    contexts.push(context)
    const page = await context.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine.filter((e) => !EXPECTED.test(e)).map((e) => `${who}: ${e}`)))
    return page
  }
  async function shoot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(300)
    await page.screenshot({ path: artifactPath(`funds-${name}.png`) })
    const problems = await layoutProblems(page)
    tally.check(`[funds] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 6).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const text = async (page: Page, testid: string) => (await page.locator(`[data-testid="${testid}"]`).first().innerText()).trim()
  async function tool(page: Page, name: string): Promise<boolean> {
    await page.click(`[data-testid="desk-nav-${name}"]`)
    const found = await page.waitForSelector(`[data-testid="desk-${name}"], [data-testid="desk-view-failed"]`, { timeout: 10_000 }).catch(() => null)
    if ((await found?.getAttribute('data-testid')) === 'desk-view-failed') {
      await page.reload()
      return seen(page, `[data-testid="desk-${name}"]`)
    }
    return !!found
  }

  const departments = await api<{ id: number; name: string }[]>('admin', '/api/departments')
  const civil = `dept-${departments.find((d) => d.name === '民政局')!.id}`
  const other = `dept-${departments.find((d) => d.name !== '民政局')!.id}`
  // this month (Beijing): a month 民政 reports on now; the file names two villages
  const month = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7)
  const before = await api<Month>('admin', `/api/welfare-funds?month=${month}`)
  const [v1, v2] = before.villages.length ? before.villages : (await api<Month>('admin', '/api/welfare-funds')).villages
  const figure = (m: Month, village: number, category: string) => m.villages.find((v) => v.villageId === village)?.funds.find((f) => f.category === category) ?? null

  // ── 民政局's account: a bad file, a preview, the import ──
  const d = await open(DESK, civil)
  await signIn(d, system.origin, civil, '/desk/')
  // offered once the departments' names are read: 民生资金 is 民政局's alone
  await seen(d, '[data-testid="desk-nav-welfare"]')
  const deskNav = await d.locator('[data-testid^="desk-nav-"]').evaluateAll((a) => a.map((x) => x.getAttribute('data-testid')!.slice(9)))
  tally.check('[funds] 民政局\'s menu has 民生资金', deskNav.includes('welfare'), deskNav.join(','))
  tally.check('[funds] 民生资金 opens with the latest month per village', await tool(d, 'welfare') && await seen(d, `[data-testid="desk-welfare-village-${v1.villageId}"]`))
  const bad = ['村,月份,类别,金额,人数', `${v1.villageName},${month},低保金,1000,2`, `${v1.villageName},${month},低保费,1000,2`, `不存在村,${month},低保金,1,1`].join('\n')
  await d.setInputFiles('[data-testid="desk-welfare-file"]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  tally.check('[funds] a bad file names its rows (3: the category, 4: the village) and 导入 stays off',
    await seen(d, '[data-testid="desk-welfare-error-3"]') && await seen(d, '[data-testid="desk-welfare-error-4"]', 1000)
    && await d.locator('[data-testid="desk-welfare-submit"]').isDisabled(), await d.locator('body').innerText().then((t) => t.slice(0, 300)))
  await shoot(d, 'desk-errors-1366')

  // the payment list 民政 sends: one row a person, summed per village of her household
  const [p1, p2] = [peopleOf(v1.villageId, 4), peopleOf(v2.villageId, 2)]
  const good = ['身份证号,类别,金额,月份',
    `${p1[0]},低保金,600,${month}`, `${p1[1]},低保金,650.25,${month}`, `${p1[2]},低保金,650.25,${month}`, `${p1[3]},临时救助,987.5,${month}`,
    `${p2[0]},高龄津贴,100,${month}`, `${p2[1]},高龄津贴,100,${month}`].join('\n')
  await d.setInputFiles('[data-testid="desk-welfare-file"]', { name: `民政资金-${month}.csv`, mimeType: 'text/csv', buffer: Buffer.from(good) })
  const previewed = await seen(d, '[data-testid="desk-welfare-entries"]')
  const still = await api<Month>('admin', `/api/welfare-funds?month=${month}`)
  const previewText = await d.locator('body').innerText()
  tally.check('[funds] the dry run previews the list\'s 6 rows as 3 village figures, names no one, and writes nothing', previewed && (await text(d, 'desk-welfare-summary')).includes('发放名单 6 行')
    // new figures or ones replacing what the month held (the demo's own payments end this month)
    && Number(await text(d, 'desk-welfare-created')) + Number(await text(d, 'desk-welfare-replaced')) === 3 && ![...p1, ...p2].some((id) => previewText.includes(id) || previewText.includes(id.slice(-6)))
    && JSON.stringify(figure(still, v1.villageId, '低保金')) === JSON.stringify(figure(before, v1.villageId, '低保金')), await text(d, 'desk-welfare-summary'))
  await shoot(d, 'desk-preview-1366')
  await d.click('[data-testid="desk-welfare-submit"]')
  const notice = await seen(d, '[data-testid="desk-notice"]') ? await text(d, 'desk-notice') : ''
  const after = await api<Month>('admin', `/api/welfare-funds?month=${month}`)
  tally.check('[funds] 导入 writes the file\'s figures', notice.includes('导入完成') && figure(after, v1.villageId, '低保金')?.amountYuan === 1900.5
    && figure(after, v1.villageId, '低保金')?.recipients === 3 && figure(after, v2.villageId, '高龄津贴')?.recipients === 2, `${notice} ${JSON.stringify(figure(after, v1.villageId, '低保金'))}`)
  const cell = await seen(d, `[data-testid="desk-welfare-cell-${v1.villageId}-低保金"]`) ? await text(d, `desk-welfare-cell-${v1.villageId}-低保金`) : ''
  tally.check('[funds] …and the table shows them for the month', cell.includes('1,900.50') && cell.includes('3人'), cell)
  await shoot(d, 'desk-month-1366')

  // another department has no 民生资金
  const o = await open(DESK, other)
  await signIn(o, system.origin, other, '/desk/')
  await seen(o, '[data-testid^="desk-nav-"]')
  tally.check('[funds] another department\'s menu has no 民生资金', !(await o.locator('[data-testid="desk-nav-welfare"]').count()))

  // ── a leader publishes the first village's month ──
  const l = await open(DESK, 'leader')
  await signIn(l, system.origin, 'leader', '/desk/')
  tally.check('[funds] the leader opens 民生资金', await tool(l, 'welfare'))
  await l.selectOption('[data-testid="desk-welfare-month"]', month)
  await seen(l, `[data-testid="desk-welfare-publish-${v1.villageId}"]`)
  await l.click(`[data-testid="desk-welfare-publish-${v1.villageId}"]`)
  tally.check('[funds] 公开 marks the village-month 已公开', await l.waitForFunction((id) => document.querySelector(`[data-testid="desk-welfare-state-${id}"]`)?.textContent?.includes('已公开'), v1.villageId, { timeout: 10_000 }).then(() => true, () => false))
  await shoot(l, 'desk-published-1366')

  // ── a resident: 公开, the village, its published payments; another village has none yet ──
  const r = await open(PHONE, 'resident')
  await r.goto(`${system.origin}/r/`)
  await r.click('[data-testid="r-affairs-tab"]')
  await seen(r, '[data-testid="r-affairs-village"] option:nth-child(3)')
  await shoot(r, 'resident-choose-390')
  await r.selectOption('[data-testid="r-affairs-village"]', String(v2.villageId))
  tally.check('[funds] a village with nothing published says so', await seen(r, '[data-testid="r-affairs-no-payments"]'))
  await shoot(r, 'resident-nothing-yet-390')
  await r.selectOption('[data-testid="r-affairs-village"]', String(v1.villageId))
  const shown = await seen(r, `[data-testid="r-affairs-payment-${month}"]`) ? await text(r, `r-affairs-payment-${month}`) : ''
  tally.check('[funds] the resident reads the published month: 低保金 3 人 1,900.50 元, 临时救助 1 人 987.50 元', /低保金\s+3\s+1,900\.50/.test(shown)
    && /临时救助\s+1\s+987\.50/.test(shown), shown)
  const page = await r.locator('body').innerText()
  tally.check('[funds] …and no person: no account of who imported or published, no ID number', !page.includes(civil) && !page.includes('leader') && !/\d{17}[\dX]/.test(page))
  tally.check('[funds] the address names the village, so the link can be shared', r.url().endsWith(`#/gk/${v1.villageId}`), r.url())
  await shoot(r, 'resident-payments-390')

  for (const c of contexts) await c.close()
  tally.check('[funds] no request left the origin', foreign.length === 0, foreign.slice(0, 5).join(' '))
  tally.check('[funds] no page error', errors.length === 0, errors.slice(0, 5).join(' | '))
}

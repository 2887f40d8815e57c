// 疫网即办 and 党建先锋 kept by work, on a wall that is already open: 医保局 imports residents'
// 医疗保险 items through the desk and the wall's 医保参保率 moves to the API's new figure without
// a reload; a leader enters a secretary's star review on the desk (星级评定) and the wall's star
// chart follows. The desk page is photographed at 1366×768, the wall at 1920×1080.
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, ROOT, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'
import type { Stats } from '../../../geo/stats.ts'
import { liveIdNumber } from '../fixture-people.ts'

const DESK = { width: 1366, height: 768 }
const WALL = { width: 1920, height: 1080 }
const ndjson = <T>(name: string): T[] => gunzipSync(readFileSync(`${ROOT}fixtures/${name}.ndjson.gz`)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T)

export async function coverageScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const stats = async (): Promise<Stats> => {
    const res = await fetch(`${system.origin}/api/stats?scope=town`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, 'display')}` } })
    return (await res.json()) as Stats
  }
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  async function page(size: typeof DESK, who: string): Promise<Page> {
    const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
    contexts.push(context)
    const p = await context.newPage()
    foreign.push(...watchRequests(p, system.origin).foreign)
    const mine = watchErrors(p)
    p.on('close', () => errors.push(...mine.map((e) => `${who}: ${e}`)))
    return p
  }
  const seen = (p: Page, selector: string, timeout = 10_000) => p.waitForSelector(selector, { timeout }).then(() => true, () => false)
  async function shoot(p: Page, name: string): Promise<void> {
    await p.waitForTimeout(300)
    await p.screenshot({ path: artifactPath(`coverage-${name}.png`) })
    const problems = await layoutProblems(p, 'body')
    tally.check(`[coverage] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 6).map((x) => `${x.kind} "${x.text}"${x.other ? ` × "${x.other}"` : ''}`).join('; '))
  }
  async function tool(p: Page, name: string): Promise<boolean> {
    await p.click(`[data-testid="desk-nav-${name}"]`)
    return seen(p, `[data-testid="desk-${name}"]`)
  }

  // ── the wall, open before anything is written ──
  const wall = await page(WALL, 'wall')
  await wall.goto(`${system.origin}/#token=${await apiLogin(system.origin, 'display')}`)
  await wall.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).catch(() => undefined)
  await wall.evaluate(() => ((window as unknown as { __e2eSameLoad: boolean }).__e2eSameLoad = true))
  const medicalShown = () => wall.locator('[data-kpi="medical"] .value').innerText().then((t) => t.trim())
  const pct = (s: Stats) => `${((s.health!.medicalInsured / s.health!.eligible) * 100).toFixed(1)}%`
  const before = await stats()
  tally.check('[coverage] the open wall shows 医保参保率 from residents\' items', await wall.waitForFunction((want) =>
    document.querySelector('[data-kpi="medical"] .value')?.textContent?.trim() === want, pct(before), { timeout: 15_000 }).then(() => true, () => false),
  `${await medicalShown()} on the wall, ${pct(before)} from the API`)
  await wall.screenshot({ path: artifactPath('coverage-wall-before-1920.png') })

  // ── 医保局 imports its list of the insured through the desk ──
  const dept = (ndjson<{ key: string; department_id: number }>('data_items')).find((d) => d.key === 'medicalInsurance')!.department_id
  // 300 people the fixtures left uninsured: enough to move a town's rate by more than its last digit
  const uninsured = ndjson<{ id_number: string; birth_date: string; items: Record<string, unknown>; deregistered?: string | null }>('residents')
    .filter((r) => !r.deregistered && r.items.medicalInsurance !== true).slice(0, 300)
  const desk = await page(DESK, `dept-${dept}`)
  await signIn(desk, system.origin, `dept-${dept}`, '/desk/')
  tally.check('[coverage] 医保局 opens 部门数据导入', await tool(desk, 'deptimport'))
  await desk.setInputFiles('[data-testid="desk-deptimport-file"]', {
    name: '医保参保名单.csv', mimeType: 'text/csv',
    buffer: Buffer.from(['身份证号,数据项,值', ...uninsured.map((r) => `${liveIdNumber(r)},医疗保险,是`)].join('\n')),
  })
  await seen(desk, '[data-testid="desk-deptimport-changes"]', 20_000)
  await desk.click('[data-testid="desk-deptimport-submit"]')
  tally.check('[coverage] the import is applied', await seen(desk, '[data-testid="desk-deptimport-done"]', 30_000))
  const after = await stats()
  tally.check('[coverage] the API\'s 医保 count moved by the people imported', after.health!.medicalInsured === before.health!.medicalInsured + uninsured.length,
    `${before.health!.medicalInsured} → ${after.health!.medicalInsured}, ${uninsured.length} imported`)
  const moved = await wall.waitForFunction((want) => document.querySelector('[data-kpi="medical"] .value')?.textContent?.trim() === want, pct(after), { timeout: 15_000 }).then(() => true, () => false)
  const sameLoad = await wall.evaluate(() => (window as unknown as { __e2eSameLoad?: boolean }).__e2eSameLoad === true)
  tally.check('[coverage] a 医保局 import moves the open wall\'s 医保参保率, without a reload', moved && sameLoad && pct(after) !== pct(before),
    `${pct(before)} → ${await medicalShown()} on the wall, ${pct(after)} from the API`)
  // the charts ease to their new values: the picture once they are there
  await wall.waitForTimeout(2000)
  await wall.screenshot({ path: artifactPath('coverage-wall-after-import-1920.png') })
  await desk.close()

  // ── a leader enters a star review; the wall's star chart follows ──
  const town = after.party!.stars
  const target = [...town].sort((a, b) => a.stars - b.stars)[0]
  const starsOnWall = () => wall.locator('[data-chart="party-stars"]').getAttribute('data-stars').catch(() => null)
  tally.check('[coverage] the wall\'s star chart shows every village\'s latest review', (await starsOnWall()) === town.map((r) => `${r.villageId}:${r.stars}`).join(','), `${await starsOnWall()}`)
  const leader = await page(DESK, 'leader')
  await signIn(leader, system.origin, 'leader', '/desk/')
  tally.check('[coverage] the leader opens 星级评定', await tool(leader, 'stars'))
  tally.check('[coverage] 星级评定 lists the villages with their stars and why', await seen(leader, `[data-testid="desk-stars-row-${target.villageId}"]`))
  await leader.selectOption('[data-testid="desk-stars-year"]', String(target.year))
  await seen(leader, `[data-testid="desk-stars-row-${target.villageId}"]`)
  await leader.click(`[data-testid="desk-stars-row-${target.villageId}"] button`)
  await leader.selectOption('[data-testid="desk-stars-review"]', '优秀')
  await leader.fill('[data-testid="desk-stars-tenure"]', '6')
  await leader.click('[data-testid="desk-stars-honour-add"]')
  await leader.selectOption('[data-testid="desk-stars-honour-0-level"]', 'national')
  await leader.fill('[data-testid="desk-stars-honour-0-name"]', '全国优秀党务工作者')
  const preview = (await leader.locator('[data-testid="desk-stars-preview"]').innerText()).trim()
  tally.check('[coverage] the form shows the stars the review will give, with the reasons', preview.includes('★★★★') && preview.includes('年度考核优秀 +2') && preview.includes('国家级荣誉'), preview)
  await shoot(leader, 'desk-stars-form-1366')
  await leader.click('[data-testid="desk-stars-submit"]')
  const rowSaved = await leader.waitForFunction((id) => document.querySelector(`[data-testid="desk-stars-${id}"]`)?.textContent?.trim() === '★★★★', target.villageId, { timeout: 10_000 }).then(() => true, () => false)
  tally.check('[coverage] the saved review shows in the list: 4 stars', rowSaved)
  await shoot(leader, 'desk-stars-saved-1366')
  const want = town.map((r) => `${r.villageId}:${r.villageId === target.villageId ? 4 : r.stars}`).join(',')
  const followed = await wall.waitForFunction((w) => document.querySelector('[data-chart="party-stars"]')?.getAttribute('data-stars') === w, want, { timeout: 15_000 }).then(() => true, () => false)
  tally.check('[coverage] the open wall\'s star chart follows the review, without a reload',
    followed && await wall.evaluate(() => (window as unknown as { __e2eSameLoad?: boolean }).__e2eSameLoad === true),
    `village ${target.villageId}: ${target.stars} → 4; wall ${await starsOnWall()}`)
  await wall.waitForTimeout(2000)
  await wall.screenshot({ path: artifactPath('coverage-wall-after-review-1920.png') })

  for (const p of [wall, leader]) await p.close()
  for (const c of contexts) await c.close()
  tally.check('[coverage] no page errors', errors.length === 0, errors.slice(0, 5).join(' | '))
  tally.check('[coverage] no request left the system', foreign.length === 0, foreign.slice(0, 3).join(' '))
}

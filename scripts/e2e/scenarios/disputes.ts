// 矛盾纠纷排查化解 through the screens: a wall is open on the town; a grid worker records a dispute
// on her phone (矛盾纠纷 tab); a village cadre finds it on the desk's 矛盾纠纷 page, opens the
// parties with a reason, mediates it 微调解 → 中协商 and closes it 调解成功; the wall's 法制视野
// (受理, 在办, 调解成功率) moves with each write without a reload. The grid is looked up by API
// (which grid a worker owns is no part of what is tested); every write goes through a screen.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const DESK = { width: 1366, height: 768 }
const WALL = { width: 1920, height: 1080 }
// the step refused on purpose (no mediator named) shows up as a console resource error
const EXPECTED = /status of 400/

export async function disputesScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  const check = (name: string, ok: boolean, detail = '') => tally.check(`[disputes] ${name}`, ok, detail)
  async function context(options: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const ctx = await browser.newContext(options)
    contexts.push(ctx)
    const page = await ctx.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine.filter((e) => !EXPECTED.test(e))))
    return page
  }
  async function shoot(page: Page, name: string, scope = 'body'): Promise<void> {
    await page.waitForTimeout(400)
    const file = `disputes-${name}.png`
    await page.screenshot({ path: artifactPath(file) })
    const problems = await layoutProblems(page, scope)
    check(`${file}: no clipped, overflowing or overlapping text`, problems.length === 0,
      problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  /** 法制视野's three figures as the wall holds them (data-value: the figure, not its glide) */
  const law = async (wall: Page) => {
    const read = async (id: string) => Number(await wall.locator(`[data-testid="${id}"]`).getAttribute('data-value'))
    return { disputes: await read('law-disputes'), open: await read('law-open'), success: await read('law-success') }
  }
  /** waits until the wall's figures differ from `before` (the dataChanged push, no reload) */
  async function moved(wall: Page, before: Awaited<ReturnType<typeof law>>): Promise<Awaited<ReturnType<typeof law>>> {
    // no named function inside: the page has no __name helper for what tsx would wrap it in
    await wall.waitForFunction((b) => ['law-disputes', 'law-open', 'law-success']
      .some((id, i) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value')) !== b[i]),
    [before.disputes, before.open, before.success], { timeout: 10_000 }).catch(() => undefined)
    return law(wall)
  }

  try {
    const token = await apiLogin(system.origin, 'leader')
    const grids = (await (await fetch(`${system.origin}/api/grids`, { headers: { Authorization: `Bearer ${token}` } })).json()) as
      { features: { properties: { id: number; villageId: number; kind: string } }[] }
    const grid = grids.features.filter((f) => f.properties.kind === 'base')[7].properties
    const stamp = Date.now().toString(36)
    const summary = `E2E 纠纷 ${stamp}：两户因排水沟走向发生争执`

    // the wall, open before anything happens
    const wall = await context({ viewport: WALL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await signIn(wall, system.origin, 'leader', '/')
    await wall.waitForFunction(() => Number(document.querySelector('[data-testid="law-disputes"]')?.getAttribute('data-value')) > 0, undefined, { timeout: 60_000 }).catch(() => undefined)
    const w0 = await law(wall)
    check('the wall shows 法制视野 from the fixtures\' history', w0.disputes > 0 && w0.success > 0, JSON.stringify(w0))

    // the phone: 矛盾纠纷 tab, type, summary, one party
    const m = await context({ ...PHONE })
    await signIn(m, system.origin, `gw-${grid.id}`, '/m/')
    await m.click('[data-testid="m-tab-dispute"]')
    await m.waitForSelector('[data-testid="m-dispute-form"]')
    await m.selectOption('[data-testid="m-dispute-type"]', '邻里纠纷')
    await m.fill('[data-testid="m-dispute-summary"]', summary)
    await m.click('[data-testid="m-dispute-add-party"]')
    await m.fill('[data-testid="m-dispute-party-name-0"]', '张小三')
    await m.fill('[aria-label="当事人1电话"]', '13812345678')
    await shoot(m, 'phone-form-390')
    await m.click('[data-testid="m-dispute-submit"]')
    const recorded = await seen(m, `[data-testid^="m-dispute-"][data-stage="accepted"]:has-text("${stamp}")`)
    check('a grid worker records a dispute on the phone; it is listed 受理 in her grid', recorded)
    const id = Number((await m.locator(`article:has-text("${stamp}")`).first().getAttribute('data-testid'))?.slice('m-dispute-'.length) ?? 0)
    await shoot(m, 'phone-list-390')

    const w1 = await moved(wall, w0)
    check('…the open wall\'s 受理 and 在办 rise by one, without a reload', w1.disputes === w0.disputes + 1 && w1.open === w0.open + 1, `${JSON.stringify(w0)} → ${JSON.stringify(w1)}`)

    // the desk: the village cadre mediates it
    const d = await context({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await signIn(d, system.origin, `cadre-${grid.villageId}`, '/desk/')
    await d.click('[data-testid="desk-nav-disputes"]')
    await d.waitForSelector('[data-testid="desk-disputes"][data-loading="0"]', { timeout: 10_000 }).catch(() => undefined)
    check('the cadre finds it in 在办 on the desk', await seen(d, `[data-testid="desk-dispute-${id}"]`))
    await d.click(`[data-testid="desk-dispute-${id}"]`)
    await d.waitForSelector('[data-testid="desk-dispute-card"]')
    const masked = await d.locator('[data-testid="desk-dispute-parties"]').innerText()
    check('the parties are masked on the card', masked.includes('张*三') && masked.includes('138****5678') && !masked.includes('13812345678'), masked)
    await d.click('[data-testid="desk-dispute-unmask"]')
    await d.fill('[data-testid="desk-dispute-unmask-reason"]', '电话约双方调解时间')
    await d.click('[data-testid="desk-dispute-unmask-go"]')
    await d.waitForFunction(() => document.querySelector('[data-testid="desk-dispute-parties"]')?.textContent?.includes('13812345678'), undefined, { timeout: 10_000 }).catch(() => undefined)
    check('…and shown in full with a reason', (await d.locator('[data-testid="desk-dispute-parties"]').innerText()).includes('张小三 13812345678'))

    // a refused step shows the server's reason: 微调解 without a mediator named
    await d.click('[data-testid="desk-dispute-step-mediating"]')
    await d.fill('[data-testid="desk-dispute-mediator"]', '')
    await d.click('[data-testid="desk-dispute-submit"]')
    check('a step the server refuses shows its reason', /mediator/.test(await d.locator('[data-testid="desk-dispute-error"]').innerText({ timeout: 10_000 }).catch(() => '')))
    await d.fill('[data-testid="desk-dispute-mediator"]', '王秀英')
    await d.fill('[data-testid="desk-dispute-note"]', '上门了解情况，双方同意调解')
    await d.click('[data-testid="desk-dispute-submit"]')
    check('微调解', await seen(d, '[data-testid="desk-dispute-card"][data-stage="mediating"]'))
    await d.click('[data-testid="desk-dispute-step-consulting"]')
    await d.fill('[data-testid="desk-dispute-mediator"]', '全科协商厅')
    await d.fill('[data-testid="desk-dispute-note"]', '提交全科协商厅协商')
    await d.click('[data-testid="desk-dispute-submit"]')
    check('中协商', await seen(d, '[data-testid="desk-dispute-card"][data-stage="consulting"]'))
    await shoot(d, 'desk-card-1366')
    const w2 = await law(wall)
    await d.click('[data-testid="desk-dispute-step-closed"]')
    await d.check('[data-testid="desk-dispute-outcome-resolved"]')
    await d.fill('[data-testid="desk-dispute-note"]', '双方达成协议，改排水沟走向')
    await d.click('[data-testid="desk-dispute-submit"]')
    check('the cadre closes it 调解成功', await seen(d, '[data-testid="desk-dispute-card"][data-stage="closed"][data-outcome="resolved"]'))
    check('…its history holds every step', (await d.locator('[data-testid="desk-dispute-history"] li').count()) === 4)
    await shoot(d, 'desk-closed-1366')

    const w3 = await moved(wall, w2)
    check('…the open wall\'s 在办 falls by one and 调解成功率 rises, 受理 unchanged, without a reload',
      w3.open === w2.open - 1 && w3.success > w2.success && w3.disputes === w2.disputes, `${JSON.stringify(w2)} → ${JSON.stringify(w3)}`)
    await wall.locator('[data-testid="law-disputes"]').screenshot({ path: artifactPath('disputes-wall-law.png') }).catch(() => undefined)
    await wall.screenshot({ path: artifactPath('disputes-wall-1920.png') })

    // the phone sees the outcome
    await m.click('[data-testid="m-tab-dispute"]')
    check('the grid worker sees it 结案 on her phone', await seen(m, `[data-testid="m-dispute-${id}"][data-stage="closed"]`))

    // 受理 at the desk: a dispute brought to the village office, registered by the cadre herself
    await d.click('[data-testid="desk-disputes-new"]')
    check('登记纠纷 opens a form with her village fixed', await seen(d, '[data-testid="desk-dispute-new"]')
      && await d.locator('[data-testid="desk-dispute-new-village"]').isDisabled())
    await d.waitForSelector('[data-testid="desk-dispute-new-grid"] option:not([disabled])', { state: 'attached' })
    await d.selectOption('[data-testid="desk-dispute-new-grid"]', { index: 1 })
    await d.selectOption('[data-testid="desk-dispute-new-type"]', '土地承包')
    await d.fill('[data-testid="desk-dispute-new-summary"]', `E2E 到村委会反映 ${stamp}：承包地边界争议`)
    await shoot(d, 'desk-new-1366', '[data-testid="desk-dispute-new"]')
    const w4 = await law(wall)
    await d.click('[data-testid="desk-dispute-new-submit"]')
    check('…it is registered 受理 and its card opens', await seen(d, '[data-testid="desk-dispute-card"][data-stage="accepted"]'))
    const w5 = await moved(wall, w4)
    check('…the open wall\'s 受理 and 在办 rise by one', w5.disputes === w4.disputes + 1 && w5.open === w4.open + 1, `${JSON.stringify(w4)} → ${JSON.stringify(w5)}`)

    // the desk's "no data yet": a filter with nothing in it
    await d.fill('[data-testid="desk-disputes-q"]', `没有这样的纠纷${stamp}`)
    await d.press('[data-testid="desk-disputes-q"]', 'Enter')
    await d.click('[data-testid="desk-disputes-tab-all"]')
    check('the desk says when there is nothing to show', await seen(d, '[data-testid="desk-disputes-empty"]'))
    await shoot(d, 'desk-empty-1366')

    check('no request leaves the intranet', foreign.length === 0, foreign.slice(0, 5).join(', '))
  } finally {
    for (const c of contexts) await c.close()
    check('no page errors', errors.length === 0, errors.slice(0, 5).join('\n'))
  }
}

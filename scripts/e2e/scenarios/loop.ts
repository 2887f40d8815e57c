// The whole loop 问、派、转、办、审、回 through the screens only: the test signs in through the
// login forms, reads what it needs (order ids, villages, departments, tracking codes) from what
// the pages show, and calls no API itself.
// A: a resident reports at /r/ with a photo; the order appears live in the dispatcher's 待派单;
//    派 to its village; the village cadre 办 with an after-photo; the dispatcher 审 and 回; the
//    resident rates it on the status page; the wall shows it 办结 and its satisfaction moves.
// B: an order is sent to a county department; dept-<id> sees it, sends it back with a reason the
//    dispatcher reads; it is dispatched and 转 to the department again, which handles it.
import sharp from 'sharp'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const DESK = { small: { width: 1366, height: 768 }, large: { width: 1920, height: 1080 } } as const
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
// refusals the resident page provokes on purpose never happen here; 409 is a stale click at most
const EXPECTED = /status of 409/

export async function loopScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const contexts: BrowserContext[] = []
  const foreign: string[] = []
  const errors: string[] = []
  const check = (name: string, ok: boolean, detail = '') => tally.check(`[loop] ${name}`, ok, detail)
  async function context(options: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const ctx = await browser.newContext(options)
    contexts.push(ctx)
    const page = await ctx.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine))
    return page
  }
  async function desk(username: string, size: keyof typeof DESK = 'small'): Promise<Page> {
    const page = await context({ viewport: DESK[size], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await signIn(page, system.origin, username, '/desk/')
    return page
  }
  /** a screenshot at each desk size (or the phone's), its text checked for clipping and overlap */
  async function shoot(page: Page, name: string, sizes: (keyof typeof DESK)[] | 'phone' = ['small', 'large'], scope = 'body'): Promise<void> {
    for (const size of sizes === 'phone' ? [null] : sizes) {
      if (size) await page.setViewportSize(DESK[size])
      await page.waitForTimeout(400)
      const file = `loop-${name}-${size ? DESK[size].width : 390}.png`
      await page.screenshot({ path: artifactPath(file) })
      const problems = await layoutProblems(page, scope)
      check(`${file}: no clipped, overflowing or overlapping text`, problems.length === 0,
        problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
    }
  }
  const seen = (page: Page, selector: string, timeout = 10_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const text = async (page: Page, testid: string) => (await page.locator(`[data-testid="${testid}"]`).first().innerText().catch(() => '')).trim()
  async function waitState(page: Page, want: string): Promise<string | null> {
    await page.waitForSelector(`[data-testid="desk-order-state"][data-state="${want}"]`, { timeout: 10_000 }).catch(() => undefined)
    return page.locator('[data-testid="desk-order-state"]').getAttribute('data-state').catch(() => null)
  }
  async function act(page: Page, action: string, fill: (p: Page) => Promise<void> = async () => {}): Promise<void> {
    await page.click(`[data-testid="desk-action-${action}"]`)
    await page.waitForSelector('[data-testid="desk-action-dialog"]')
    await fill(page)
    await page.click('[data-testid="desk-dialog-submit"]')
    await page.waitForSelector('[data-testid="desk-action-dialog"]', { state: 'detached', timeout: 10_000 }).catch(() => undefined)
  }
  /** the id of the inbox row that shows this text (read from the row, as a person reads the 工单号) */
  async function rowWith(page: Page, words: string, timeout = 10_000): Promise<number> {
    const row = await page.waitForSelector(`tr[data-testid^="desk-order-"]:has-text("${words}")`, { timeout }).catch(() => null)
    return Number((await row?.getAttribute('data-testid'))?.slice('desk-order-'.length) ?? 0)
  }
  async function openTab(page: Page, tab: string): Promise<void> {
    await page.click('[data-testid="desk-nav-inbox"]')
    await page.click(`[data-testid="desk-tab-${tab}"]`)
    await page.waitForSelector('[data-testid="desk-inbox"][data-loading="0"]', { timeout: 10_000 }).catch(() => undefined)
  }
  const jpeg = (r: number, g: number, b: number) => sharp({ create: { width: 1200, height: 900, channels: 3, background: { r, g, b } } }).jpeg().toBuffer()
  const stamp = Date.now().toString(36)

  /** a resident's report on /r/: category, words, a photo, the place tapped on the map; the tracking code shown */
  async function report(page: Page, category: string, description: string, phone: string): Promise<string> {
    await page.goto(`${system.origin}/r/`)
    await page.waitForSelector('[data-testid="r-map"][data-ready="1"]', { timeout: 30_000 }).catch(() => undefined)
    await page.waitForFunction(() => ((document.querySelector('[data-testid="r-category"]') as HTMLSelectElement | null)?.options.length ?? 0) > 1, undefined, { timeout: 10_000 })
    await page.selectOption('[data-testid="r-category"]', category)
    await page.fill('[data-testid="r-description"]', description)
    await page.setInputFiles('[data-testid="r-photo"]', { name: 'before.jpg', mimeType: 'image/jpeg', buffer: await jpeg(150, 110, 70) })
    await page.waitForSelector('.shot img', { timeout: 10_000 })
    const map = page.locator('[data-testid="r-map"]')
    await map.scrollIntoViewIfNeeded()
    const box = (await map.boundingBox())!
    await map.tap({ position: { x: box.width / 2, y: box.height / 2 } })
    await page.waitForFunction(() => /已选位置/.test(document.querySelector('[data-testid="r-place"]')?.textContent ?? ''), undefined, { timeout: 5000 }).catch(() => undefined)
    await page.fill('[data-testid="r-phone"]', phone)
    await page.click('[data-testid="r-submit"]')
    await page.waitForSelector('[data-testid="r-tracking-code"]', { timeout: 15_000 }).catch(() => undefined)
    return (await page.locator('[data-testid="r-tracking-code"]').getAttribute('data-code').catch(() => null)) ?? ''
  }

  // ── A: the resident's loop ──
  const d = await desk('dispatcher')
  await openTab(d, 'toDispatch')

  const r = await context({ ...PHONE })
  const description = `E2E 闭环 ${stamp}：村口路灯不亮，夜里出行不便`
  const code = await report(r, 'road', description, `139${String(Date.now()).slice(-8)}`)
  check('A resident reports at /r/ with a photo and gets a tracking code', /^[0-9A-Z]{10}$/.test(code), code)
  await shoot(r, 'r-code', 'phone')

  const id = await rowWith(d, description, 10_000)
  const fresh = id > 0 && await seen(d, `[data-testid="desk-fresh-${id}"]`, 1000)
  check('…it appears live in the dispatcher\'s 待派单 (no reload), marked 新', fresh, `order ${id}`)
  await shoot(d, 'inbox-dispatcher')
  await d.click(`[data-testid="desk-order-${id}"]`)
  await waitState(d, 'asked')
  check('the order page shows the resident\'s photo', await seen(d, '[data-testid="desk-timeline"] img[data-testid^="photo-"]'))
  // 村 / 网格 as the order page names them: 于楼村 · 第3网格
  const place = (await d.locator('dt:has-text("村 / 网格") + dd').innerText()).split(' · ').map((x) => x.trim()).join('')
  await d.click('[data-testid="desk-action-dispatch"]')
  await d.waitForSelector('[data-testid="desk-action-dialog"]')
  const villageId = await d.locator('[data-testid="desk-dialog-village"]').inputValue()
  // the option reads 于楼村（本村，建议）
  const villageName = (await d.locator('[data-testid="desk-dialog-village"] option:checked').innerText()).trim().replace(/（.*$/, '')
  await shoot(d, 'dispatch-dialog', ['small', 'large'], '[data-testid="desk-action-dialog"]')
  await d.fill('[data-testid="desk-dialog-note"]', '请村里尽快修复路灯')
  await d.click('[data-testid="desk-dialog-submit"]')
  check('派: the dispatcher dispatches it to the village the desk suggests', (await waitState(d, 'dispatched')) === 'dispatched' && (await text(d, 'desk-order-assignee')).includes(villageName), `${villageName} (${villageId})`)

  const c = await desk(`cadre-${villageId}`, 'large')
  check('the village cadre finds it in 待办理', await seen(c, '[data-testid="desk-tab-toHandle"][aria-selected="true"]') && await seen(c, `[data-testid="desk-order-${id}"]`))
  await c.click(`[data-testid="desk-order-${id}"]`)
  await waitState(c, 'dispatched')
  await act(c, 'handle', async (p) => {
    await p.fill('[data-testid="desk-dialog-note"]', '已更换灯泡，路灯恢复照明')
    await p.setInputFiles('[data-testid="desk-dialog-photos"]', { name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg(40, 140, 90) })
    await p.waitForSelector('[data-testid="desk-dialog-photo-list"] img', { timeout: 10_000 })
  })
  check('办: the cadre handles it with an after-photo', (await waitState(c, 'handled')) === 'handled' && (await c.locator('[data-testid="desk-timeline"] img[data-testid^="photo-"]').count()) === 2)
  await shoot(c, 'order-cadre')

  // The wall opens once the photos are taken: its WebGL map keeps the browser's one GPU process
  // (software rendered here) so busy that a phone page's photo resize waits on it for seconds.
  // The town's figure averages a year of ratings (thousands), a village's hundreds: one rating
  // shows for certain at the order's grid, found with the wall's search as a person does.
  const wall = await context({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  await signIn(wall, system.origin, 'leader', '/')
  await wall.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="work-order-satisfaction"]')?.textContent ?? ''), undefined, { timeout: 30_000 }).catch(() => undefined)
  const townBefore = await text(wall, 'work-order-satisfaction')
  await wall.fill('[data-testid="search"] input', place)
  // the search also reads 38,000 residents' names: under a loaded machine its answer takes seconds
  await wall.locator('[data-testid="search"] li', { hasText: place }).first().click({ timeout: 30_000 }).catch(() => undefined)
  await wall.waitForFunction((name) => document.querySelector('[data-testid="breadcrumb"]')?.textContent?.includes(name), villageName, { timeout: 10_000 }).catch(() => undefined)
  await wall.waitForFunction((town) => document.querySelector('[data-testid="work-order-satisfaction"]')?.textContent !== town, townBefore, { timeout: 10_000 }).catch(() => undefined)
  await wall.waitForTimeout(1500)
  const satisfactionBefore = await text(wall, 'work-order-satisfaction')

  // the dispatcher's page follows the order live
  check('the dispatcher\'s open order page shows 已办结 without a reload', (await waitState(d, 'handled')) === 'handled')
  await act(d, 'review', (p) => p.click('[data-testid="desk-dialog-approve"]'))
  check('审: the dispatcher approves it', (await waitState(d, 'reviewed')) === 'reviewed')
  const answer = `您好，村口路灯已修复（${stamp}），感谢您的反映。`
  await act(d, 'reply', (p) => p.fill('[data-testid="desk-dialog-note"]', answer))
  check('回: the dispatcher replies to the resident', (await waitState(d, 'replied')) === 'replied')
  await shoot(d, 'order-replied')

  await r.click('[data-testid="r-status-link"]').catch(() => r.goto(`${system.origin}/r/#/s/${code}`))
  await r.reload()
  await r.waitForSelector('[data-testid="r-reply"]', { timeout: 10_000 }).catch(() => undefined)
  const steps = await r.locator('[data-testid="r-steps"] li').allInnerTexts()
  check('the resident\'s status page shows the answer and the steps, without staff names', (await text(r, 'r-reply')) === answer && steps.length === 5 && !steps.some((s) => /cadre|dispatcher|leader|\d{11}/.test(s)), `${steps.length} steps`)
  await r.click('[data-testid="r-rate-1"]')
  await r.fill('[data-testid="r-comment"]', '修得太慢，等了好几天')
  await shoot(r, 'r-rate', 'phone')
  await r.click('[data-testid="r-rate-submit"]')
  check('拍拍板: the resident rates it; the status page says 已办结', await seen(r, '[data-testid="r-rated"]') && (await text(r, 'r-state')) === '已办结')
  await shoot(r, 'r-rated', 'phone')

  const closedOnWall = await seen(wall, `[data-testid="feed-${id}"] .kind.closed`, 15_000)
  await wall.waitForFunction((before) => {
    const now = document.querySelector('[data-testid="work-order-satisfaction"]')?.textContent ?? ''
    return now !== before
  }, satisfactionBefore, { timeout: 15_000 }).catch(() => undefined)
  const satisfactionAfter = await text(wall, 'work-order-satisfaction')
  const crumbs = (await text(wall, 'breadcrumb')).replace(/\s+/g, ' ')
  check('the wall shows it 办结 in its feed, live', closedOnWall, `feed-${id}`)
  check(`the wall is on the order's grid (searched as a person does)`, crumbs.replace(/ /g, '').includes(place.replace(villageName, '')), `${crumbs}; searched ${place}`)
  // one star pulls the grid's average down (or gives it its first figure)
  const moved = satisfactionBefore !== satisfactionAfter && (!/\d/.test(satisfactionBefore) || Number(satisfactionAfter) < Number(satisfactionBefore))
  check('the wall\'s 满意度 moved with the rating', moved, `${satisfactionBefore} → ${satisfactionAfter} (town ${townBefore})`)
  await wall.screenshot({ path: artifactPath('loop-wall-1920.png') })
  await wall.close()

  // ── B: a county department: sent, sent back with a reason, sent again, handled ──
  const descriptionB = `E2E 部门 ${stamp}：桥梁护栏断裂，需住建部门处置`
  const codeB = await report(r, 'road', descriptionB, `137${String(Date.now()).slice(-8)}`)
  await openTab(d, 'toDispatch')
  const idB = await rowWith(d, descriptionB)
  check('B: a second report arrives in 待派单', /^[0-9A-Z]{10}$/.test(codeB) && idB > 0, `order ${idB}`)
  await d.click(`[data-testid="desk-order-${idB}"]`)
  await waitState(d, 'asked')
  await d.click('[data-testid="desk-action-dispatch"]')
  await d.waitForSelector('[data-testid="desk-action-dialog"]')
  await d.check('[data-testid="desk-dialog-target-department"]')
  const suggestedDept = (await d.locator('[data-testid="desk-dialog-department"] option:checked').innerText()).trim()
  await d.selectOption('[data-testid="desk-dialog-department"]', (await d.locator('[data-testid="desk-dialog-department"] option', { hasText: '住建局' }).first().getAttribute('value'))!)
  const deptId = await d.locator('[data-testid="desk-dialog-department"]').inputValue()
  check('the dialog suggests the category\'s department', suggestedDept === '住建局（按类别建议）', suggestedDept)
  await d.fill('[data-testid="desk-dialog-note"]', '护栏属住建部门管养，请派员处置')
  await d.click('[data-testid="desk-dialog-submit"]')
  check('派: the dispatcher sends it to 住建局', (await waitState(d, 'dispatched')) === 'dispatched' && (await text(d, 'desk-order-assignee')).includes('住建局'), `department ${deptId}`)

  const dept = await desk(`dept-${deptId}`)
  check(`dept-${deptId} finds it in its 待办理`, await seen(dept, '[data-testid="desk-tab-toHandle"][aria-selected="true"]') && await seen(dept, `[data-testid="desk-order-${idB}"]`))
  await shoot(dept, 'inbox-department')
  await dept.click(`[data-testid="desk-order-${idB}"]`)
  await waitState(dept, 'dispatched')
  const reason = '护栏属交通局管养的县道桥梁，不属于本部门职责'
  await act(dept, 'sendBack', (p) => p.fill('[data-testid="desk-dialog-note"]', reason))
  check('the department sends it back to the town with a reason', (await waitState(dept, 'asked')) === 'asked')
  check('the dispatcher\'s page shows it back in 待派单 with the department\'s reason, live', (await waitState(d, 'asked')) === 'asked' &&
    await seen(d, `[data-testid="desk-timeline"] li.sendBack:has-text("${reason}")`, 5000))
  await shoot(d, 'order-sent-back')

  // sent again: to the village first, then 转 (乡呼县应) to the department
  await act(d, 'dispatch', (p) => p.fill('[data-testid="desk-dialog-note"]', '先由村里核实现场'))
  await waitState(d, 'dispatched')
  await act(d, 'transfer', async (p) => {
    await p.check('[data-testid="desk-dialog-target-department"]')
    await p.selectOption('[data-testid="desk-dialog-department"]', deptId)
    await p.fill('[data-testid="desk-dialog-note"]', '经核实为住建局管养桥梁，请处置')
  })
  check('转: the dispatcher transfers it to the department again', (await waitState(d, 'transferred')) === 'transferred' && (await text(d, 'desk-order-assignee')).includes('住建局'))

  await openTab(dept, 'toHandle')
  check('…and it is in the department\'s 待办理 again', await seen(dept, `[data-testid="desk-order-${idB}"]`))
  await dept.click(`[data-testid="desk-order-${idB}"]`)
  await waitState(dept, 'transferred')
  await act(dept, 'handle', async (p) => {
    await p.fill('[data-testid="desk-dialog-note"]', '已更换断裂护栏 6 米')
    await p.setInputFiles('[data-testid="desk-dialog-photos"]', { name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg(90, 90, 160) })
    await p.waitForSelector('[data-testid="desk-dialog-photo-list"] img', { timeout: 10_000 })
  })
  check('办: the department handles it', (await waitState(dept, 'handled')) === 'handled')
  await shoot(dept, 'order-department')
  check('the dispatcher sees it handled, live, in 待审核', (await waitState(d, 'handled')) === 'handled')

  for (const ctx of contexts) for (const p of ctx.pages()) await p.close()
  check('zero requests outside the origin', foreign.length === 0, foreign.slice(0, 5).join(', '))
  const unexpected = errors.filter((e) => !EXPECTED.test(e))
  check('no page or console errors', unexpected.length === 0, [...new Set(unexpected)].slice(0, 5).join(' | '))
  for (const ctx of contexts) await ctx.close()
}

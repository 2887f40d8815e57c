// Issue 29 point 12 (Confusing), from the screens only: the apps' own zh-CN controls instead of the
// browser's English ones (a Chromium in an en-US locale shows mm/dd/yyyy, "Choose File", "Please
// fill out this field"), the night schedule in 24-hour time without clipping, a new account
// confirmed and shown, tied scores ranked equal, and inbox tabs that apply to the role.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

// en-US on purpose: the browser a native control would speak English in
const DESK = { viewport: { width: 1366, height: 768 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US', timezoneId: 'Asia/Shanghai' }
const ENGLISH = /mm\/dd\/yyyy|Choose Files?|No file chosen|Please (fill|select|match|enter)|\b[AP]M\b/

/**
 * What in the page would speak the browser's language: a visible native date, time or file input,
 * a form left to the browser's validation, English control text.
 */
async function nativeEnglish(page: Page): Promise<string[]> {
  return page.evaluate((english) => {
    // no named helpers in here: tsx would wrap them in a __name() the page does not have
    const natives = [...document.querySelectorAll('input')].filter((i) => ['date', 'time', 'month', 'week', 'datetime-local', 'file'].includes(i.type)
      && i.getBoundingClientRect().width > 2 && i.getBoundingClientRect().height > 2 && getComputedStyle(i).opacity !== '0' && getComputedStyle(i).visibility !== 'hidden'
      // clipped away (the residents' page hides its photo input so, behind its own 拍照 tile)
      && getComputedStyle(i).clip === 'auto' && getComputedStyle(i).clipPath === 'none')
    const forms = [...document.querySelectorAll('form')].filter((f) => !f.noValidate)
    const words = new RegExp(english).exec(document.body.innerText)
    return [
      ...natives.map((i) => `native ${i.type} ${i.dataset.testid ?? i.getAttribute('aria-label') ?? ''}`),
      ...forms.map((f) => `form without novalidate ${f.dataset.testid ?? f.className}`),
      ...(words ? [`English text "${words[0]}"`] : []),
    ]
  }, ENGLISH.source)
}

async function desk(browser: Browser, system: System, username: string, hash = ''): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext(DESK)
  const page = await context.newPage()
  const errors = watchErrors(page)
  await signIn(page, system.origin, username, `/desk/${hash}`)
  return { context, page, errors }
}

export async function dailyControlsScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const get = async <T>(username: string, path: string): Promise<T> => {
    const res = await fetch(`${system.origin}${path}`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, username)}` } })
    if (!res.ok) throw new Error(`GET ${path} as ${username}: HTTP ${res.status}`)
    return (await res.json()) as T
  }

  // ── the desk's forms and fields, every tool of the admin's with a form or a field
  const a = await desk(browser, system, 'admin')
  const found: string[] = []
  for (const view of ['inbox', 'population', 'households', 'ledgers', 'disputes', 'notices', 'party', 'stars', 'welfare', 'deptimport', 'import', 'people', 'boundaries', 'setup', 'users', 'walls', 'audit', 'terminals']) {
    await a.page.goto(`${system.origin}/desk/#/${view}`)
    await a.page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined)
    found.push(...(await nativeEnglish(a.page)).map((p) => `${view}: ${p}`))
  }
  await a.page.goto(`${system.origin}/desk/#/users`)
  await a.page.click('[data-testid="desk-users-import"]')
  found.push(...(await nativeEnglish(a.page)).map((p) => `users import: ${p}`))
  await a.page.keyboard.press('Escape')
  tally.check('29.12 desk: no native date/time/file control, no form left to the browser, no English (en-US Chromium)', found.length === 0, found.slice(0, 6).join('; '))

  // the date field: typed the Chinese way, read back as YYYY-MM-DD, a Monday-first calendar
  await a.page.goto(`${system.origin}/desk/#/inbox`)
  // (a native date input refuses the typed text: the step fails, it does not stop the scenario)
  const soon = { timeout: 5_000 }
  await a.page.fill('[data-testid="desk-filter-from"]', '2024年3月5日', soon).catch(() => undefined)
  await a.page.press('[data-testid="desk-filter-from"]', 'Tab', soon).catch(() => undefined)
  const typed = await a.page.inputValue('[data-testid="desk-filter-from"]', soon).catch(() => '')
  await a.page.click('[data-testid="desk-filter-from-open"]', soon).catch(() => undefined)
  const heads = await a.page.locator('[data-testid="desk-filter-from-calendar"] th').allInnerTexts()
  await a.page.screenshot({ path: artifactPath('daily-controls-desk-date-1366x768.png') })
  tally.check('29.12 desk: the date field reads 2024年3月5日 as 2024-03-05 and its calendar starts on 一', typed === '2024-03-05' && heads.join('') === '一二三四五六日', `${typed} ${heads.join('')}`)
  await a.page.keyboard.press('Escape')

  // the form's own messages: an empty new account says what is missing, in zh-CN, beside the field
  await a.page.goto(`${system.origin}/desk/#/users`)
  await a.page.click('[data-testid="desk-users-new"]')
  await a.page.click('[data-testid="desk-user-submit"]')
  const said = await a.page.locator('[data-testid="desk-user-dialog"] [data-testid="field-msg"]').allInnerTexts()
  await a.page.screenshot({ path: artifactPath('daily-controls-desk-form-messages-1366x768.png') })
  tally.check('29.12 desk: a form says what is missing in zh-CN beside the field (no browser bubble)', said.includes('请填写用户名') && said.some((t) => t.startsWith('请填写姓名')) && said.includes('请填写初始密码'), said.join(' | '))

  // ── a new account is confirmed and shown
  const username = `e2e-new-${Date.now() % 100_000}`
  await a.page.fill('[data-testid="desk-user-username"]', username)
  await a.page.fill('[data-testid="desk-user-name"]', '测试调度员')
  await a.page.selectOption('[data-testid="desk-user-role"]', 'dispatcher')
  await a.page.fill('[data-testid="desk-user-password"]', 'e2e-new-password')
  await a.page.click('[data-testid="desk-user-submit"]')
  const confirmed = await a.page.waitForFunction((u) => document.querySelector('[data-testid="desk-notice"]')?.textContent?.includes(`已创建账号 ${u}`), username, { timeout: 10_000 }).then(() => true, () => false)
  const row = a.page.locator(`[data-testid="desk-user-${username}"]`)
  const shown = await row.isVisible().catch(() => false) && await row.locator('[data-testid="desk-user-fresh"]').isVisible().catch(() => false)
  const inView = await row.evaluate((el) => {
    const r = el.getBoundingClientRect()
    return r.top >= 0 && r.bottom <= window.innerHeight
  }).catch(() => false)
  await a.page.screenshot({ path: artifactPath('daily-controls-desk-new-account-1366x768.png') })
  tally.check('29.12 desk: a new account is confirmed (已创建) and shown in the list, marked 新建', confirmed && shown && inView, `confirmed ${confirmed}, shown ${shown}, in view ${inView}`)

  // ── the night schedule: 24-hour times, never clipped
  await a.page.goto(`${system.origin}/desk/#/walls`)
  await a.page.locator('[data-testid="desk-walls"][data-loaded="1"]').waitFor({ timeout: 30_000 })
  await a.page.click('[data-testid="desk-tour-add"]')
  const i = (await a.page.locator('[data-testid^="desk-tour-name-"]').count()) - 1
  await a.page.check(`[data-testid="desk-tour-night-${i}"]`)
  const times = await a.page.evaluate((n) => ['start', 'end'].map((k) => {
    const el = document.querySelector<HTMLInputElement>(`[data-testid="desk-tour-night-${k}-${n}"]`)
    return el ? { value: el.value, clipped: el.scrollWidth > el.clientWidth, type: el.type } : null
  }), i)
  await a.page.click(`[data-testid="desk-tour-night-start-${i}-open"]`, soon).catch(() => undefined)
  await a.page.locator(`[data-testid="desk-tour-night-start-${i}-times"] button`, { hasText: '21' }).first().click(soon).catch(() => undefined)
  const picked = await a.page.inputValue(`[data-testid="desk-tour-night-start-${i}"]`, soon).catch(() => '')
  await a.page.locator(`[data-testid="desk-tour-${i}"]`).scrollIntoViewIfNeeded()
  await a.page.screenshot({ path: artifactPath('daily-controls-desk-night-1366x768.png') })
  const problems = await layoutProblems(a.page, `[data-testid="desk-tour-${i}"] header`)
  tally.check('29.12 desk: the night schedule shows 24-hour times in full (22:00 至 06:00, picked 21:xx)',
    times.every((t) => t && t.type === 'text' && !t.clipped) && times[0]?.value === '22:00' && times[1]?.value === '06:00' && /^21:\d\d$/.test(picked) && problems.length === 0,
    `${JSON.stringify(times)} picked ${picked}; ${problems.slice(0, 3).map((p) => `${p.kind} "${p.text}"`).join('; ')}`)
  tally.check('29.12 desk (admin) without page or console errors', a.errors.length === 0, a.errors.slice(0, 3).join(' | '))
  await a.context.close()

  // ── tied scores share a rank, ties in name order, on the desk as in the API
  const l = await desk(browser, system, 'leader', '#/rankings')
  await l.page.locator('[data-testid="desk-rank-departments"] tbody tr').first().waitFor({ timeout: 20_000 })
  const rows = await l.page.$$eval('[data-testid="desk-rank-departments"] tbody tr', (trs) => trs.map((tr) => {
    const td = [...tr.querySelectorAll('td')].map((c) => c.textContent?.trim() ?? '')
    return { rank: Number(td[0]), name: td[1], score: Number(td.at(-1)) }
  }))
  const collator = new Intl.Collator('zh-CN', { numeric: true })
  const ties = rows.filter((r, k) => k > 0 && rows[k - 1].score === r.score).length
  const wrong = rows.filter((r, k) => r.rank !== 1 + rows.filter((x) => x.score > r.score).length
    || (k > 0 && rows[k - 1].score === r.score && collator.compare(rows[k - 1].name, r.name) > 0))
  const api = await get<{ departments: { departmentName: string; rank: number }[] }>('leader', '/api/work-orders/rankings?days=30')
  const agrees = api.departments.every((d, k) => rows[k]?.name === d.departmentName && rows[k]?.rank === d.rank)
  await l.page.screenshot({ path: artifactPath('daily-controls-desk-rankings-1366x768.png') })
  tally.check('29.12 desk 考核排名: equal scores share a rank (1, 2, 2, 4), ties by name, as the API ranks them', ties > 0 && wrong.length === 0 && agrees,
    `${ties} ties; wrong ${JSON.stringify(wrong.slice(0, 3))}; agrees with API ${agrees}`)
  await l.context.close()

  // ── the inbox offers a village cadre and a department only the tabs that can hold their work
  const grids = await get<{ features: { properties: { id: number; villageId: number; kind: string } }[] }>('leader', '/api/grids')
  const base = grids.features.find((f) => f.properties.kind === 'base')!.properties
  const departments = await get<{ id: number }[]>('leader', '/api/departments')
  for (const who of [`cadre-${base.villageId}`, `dept-${departments[0].id}`]) {
    const c = await desk(browser, system, who)
    await c.page.locator('[data-testid^="desk-tab-"]').first().waitFor({ timeout: 20_000 })
    const tabs = await c.page.$$eval('[role="tab"][data-testid^="desk-tab-"]', (els) => els.map((e) => e.getAttribute('data-testid')!.slice('desk-tab-'.length)))
    const village = await c.page.locator('[data-testid="desk-filter-village"]').count()
    tally.check(`29.12 desk inbox for ${who}: no 待派单, 待审核 or 待回复 tab${who.startsWith('cadre') ? ', no village filter' : ''}`,
      tabs.includes('toHandle') && !tabs.some((t) => ['toDispatch', 'toReview', 'toReply'].includes(t)) && (who.startsWith('dept') || village === 0), `${tabs.join(', ')}; village filter ${village}`)
    if (who.startsWith('cadre')) await c.page.screenshot({ path: artifactPath('daily-controls-desk-cadre-inbox-1366x768.png') })
    await c.context.close()
  }

  // ── the phone: a grid worker's forms, the new-resident form's date field
  const gridId = base.id
  const homes = (await get<{ features: { properties: { id: number } }[] }>(`gw-${gridId}`, `/api/households?grid=${gridId}`)).features
  const phone = await browser.newContext(PHONE)
  const m = await phone.newPage()
  const phoneErrors = watchErrors(m)
  await signIn(m, system.origin, `gw-${gridId}`, '/m/')
  await m.waitForSelector('[data-testid="grid-map"] canvas[data-ready="1"]', { timeout: 30_000 }).catch(() => undefined)
  const onPhone = [...await nativeEnglish(m)]
  await m.click('[data-testid="m-tab-people"]')
  await m.click(`[data-testid="m-household-${homes[0].properties.id}"]`)
  await m.click('[data-testid="m-add-resident"]')
  await m.locator('[data-testid="m-res-birthdate"]').waitFor({ timeout: 10_000 })
  onPhone.push(...await nativeEnglish(m))
  await m.locator('[data-testid="m-res-birthdate"]').scrollIntoViewIfNeeded()
  await m.click('[data-testid="m-res-birthdate-open"]', { timeout: 5_000 }).catch(() => undefined)
  const calendar = await m.locator('[data-testid="m-res-birthdate-calendar"]').boundingBox({ timeout: 5_000 }).catch(() => null)
  await m.screenshot({ path: artifactPath('daily-controls-phone-date-390x844.png') })
  tally.check('29.12 phone: no native date/file control, no form left to the browser, no English; the calendar fits the 390 px screen',
    onPhone.length === 0 && !!calendar && calendar.x >= 0 && calendar.x + calendar.width <= 390, `${onPhone.slice(0, 4).join('; ')} calendar ${JSON.stringify(calendar)}`)
  tally.check('29.12 phone without page or console errors', phoneErrors.length === 0, phoneErrors.slice(0, 3).join(' | '))
  await phone.close()

  // ── the residents' page and the wall's sign-in
  const r = await browser.newContext({ ...PHONE })
  const rp = await r.newPage()
  await rp.goto(`${system.origin}/r/`)
  await rp.locator('[data-testid="r-category"]').waitFor({ timeout: 20_000 })
  const onResident = await nativeEnglish(rp)
  await rp.goto(`${system.origin}/r/#/q`)
  await rp.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined)
  onResident.push(...await nativeEnglish(rp))
  await rp.screenshot({ path: artifactPath('daily-controls-resident-390x844.png') })
  await r.close()
  const w = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' })
  const wp = await w.newPage()
  await wp.goto(`${system.origin}/`)
  await wp.locator('[data-testid="login"]').waitFor({ timeout: 30_000 })
  const onWall = await nativeEnglish(wp)
  await wp.click('[data-testid="login"] button[type="submit"]')
  const wallSaid = await wp.locator('[data-testid="field-msg"]').allInnerTexts()
  await w.close()
  tally.check('29.12 residents\' page and wall sign-in: no native control or browser validation; an empty sign-in is told in zh-CN',
    onResident.length === 0 && onWall.length === 0 && wallSaid.some((t) => t.startsWith('请填写')), `${[...onResident, ...onWall].slice(0, 4).join('; ')} | ${wallSaid.join(' / ')}`)
}

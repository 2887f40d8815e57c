// The desk's 大屏管理 for the walls scenario: the admin defines the tour through the form at
// 1366×768, and later sees the walls that reported.
import type { Browser } from 'playwright-core'
import { artifactPath, signIn, type System, type Tally, watchErrors } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const DESK = { width: 1366, height: 768 }

/** town → village → grid, each `dwell` seconds, entered in the desk's tours editor and saved */
export async function defineTourAtDesk(browser: Browser, system: System, tally: Tally, name: string, village: { id: number }, grid: { id: number }, dwell: number): Promise<void> {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  const errors = watchErrors(page)
  await signIn(page, system.origin, 'admin', '/desk/')
  await page.click('[data-testid="desk-nav-walls"]')
  await page.locator('[data-testid="desk-walls"][data-loaded="1"]').waitFor({ timeout: 30_000 })
  await page.click('[data-testid="desk-tour-add"]')
  const i = (await page.locator('[data-testid^="desk-tour-name-"]').count()) - 1
  await page.fill(`[data-testid="desk-tour-name-${i}"]`, name)
  await page.fill(`[data-testid="desk-tour-${i}-dwell-0"]`, String(dwell))
  await page.click(`[data-testid="desk-tour-${i}-add-step"]`)
  await page.selectOption(`[data-testid="desk-tour-${i}-kind-1"]`, 'village')
  await page.selectOption(`[data-testid="desk-tour-${i}-village-1"]`, String(village.id))
  await page.fill(`[data-testid="desk-tour-${i}-dwell-1"]`, String(dwell))
  await page.click(`[data-testid="desk-tour-${i}-add-step"]`)
  await page.selectOption(`[data-testid="desk-tour-${i}-kind-2"]`, 'grid')
  await page.selectOption(`[data-testid="desk-tour-${i}-village-2"]`, String(village.id))
  await page.locator(`[data-testid="desk-tour-${i}-grid-2"] option[value="${grid.id}"]`).waitFor({ state: 'attached', timeout: 10_000 })
  await page.selectOption(`[data-testid="desk-tour-${i}-grid-2"]`, String(grid.id))
  await page.fill(`[data-testid="desk-tour-${i}-dwell-2"]`, String(dwell))
  await page.screenshot({ path: artifactPath('walls-desk-tour-1366x768.png') })
  const problems = await layoutProblems(page, '[data-testid="desk-walls"]')
  tally.check('walls: desk 大屏管理 at 1366×768 has no clipped or overlapping text', problems.length === 0, problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"`).join('; '))
  await page.click('[data-testid="desk-tour-save"]')
  await page.locator('[data-testid="desk-tour-save"]:disabled').waitFor({ timeout: 10_000 }).catch(() => {})
  const saved = await page.evaluate(async (n) => {
    const token = localStorage.getItem('shuzhi.token') ?? ''
    const res = await fetch('/api/tours', { headers: { Authorization: `Bearer ${token}` } })
    return ((await res.json()) as { name: string; steps: { scope: string; dwellSeconds: number }[] }[]).find((t) => t.name === n) ?? null
  }, name)
  const want = ['town', `village:${village.id}`, `grid:${grid.id}`]
  tally.check('walls: the admin defines a tour of three scopes in the desk and saves it', !!saved && saved.steps.map((s) => s.scope).join() === want.join() && saved.steps.every((s) => s.dwellSeconds === dwell),
    JSON.stringify(saved?.steps ?? null))
  tally.check('walls: desk without page or console errors', errors.length === 0, errors.slice(0, 3).join(' | '))
  await context.close()
}

/** the walls' list as the admin sees it: every wall that reported, online */
export async function displaysAtDesk(browser: Browser, system: System, tally: Tally, tour: string): Promise<void> {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  await signIn(page, system.origin, 'admin', '/desk/#/walls')
  await page.locator('[data-testid="desk-walls"][data-loaded="1"]').waitFor({ timeout: 30_000 }).catch(() => {})
  const rows = page.locator('[data-testid^="desk-display-"]')
  await rows.first().waitFor({ timeout: 20_000 }).catch(() => {})
  const text = (await page.locator('[data-testid="desk-displays"]').innerText().catch(() => '')).replace(/\s+/g, ' ')
  await page.screenshot({ path: artifactPath('walls-desk-displays-1366x768.png') })
  const problems = await layoutProblems(page, '[data-testid="desk-walls"]')
  tally.check('walls: desk lists the walls online with their tour, size and heap', (await rows.count()) >= 2 && text.includes('在线') && text.includes(tour) && text.includes('1920×1080') && /\d+ MB/.test(text), text.slice(0, 240))
  tally.check('walls: desk walls list at 1366×768 has no clipped or overlapping text', problems.length === 0, problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"`).join('; '))
  await context.close()
}

// A town's account on a county's system, made as an admin makes it: in the desk's account
// dialog (1366×768), a display account for one town (所属: the town, not the county's command
// center). Signed in through the wall's form, its wall is the town's: the town's name in the
// title, no towns counted, the breadcrumb rooted at the town, every chart drawn, the layout check.
import type { Browser } from 'playwright-core'
import { artifactPath, E2E_PASSWORD, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'
import { crumbs, drawnCharts } from '../wall-probe.ts'

export async function townAccountChecks(browser: Browser, system: System, tally: Tally, town: { id: number; name: string }, towns: number, villages: number): Promise<void> {
  const username = 'town-display-e2e'
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  try {
    const a = await desk.newPage()
    const errors = watchErrors(a)
    await signIn(a, system.origin, 'admin', '/desk/')
    await a.click('[data-testid="desk-nav-users"]')
    await a.waitForSelector('[data-testid="desk-users"]', { timeout: 10_000 })
    await a.click('[data-testid="desk-users-new"]')
    await a.fill('[data-testid="desk-user-username"]', username)
    await a.fill('[data-testid="desk-user-name"]', `${town.name}大屏`)
    // a cadre's village is found under its town: one group per town, every village once
    await a.selectOption('[data-testid="desk-user-role"]', 'villageCadre')
    const groups = await a.locator('[data-testid="desk-user-village"] optgroup').count()
    const villageChoices = await a.locator('[data-testid="desk-user-village"] optgroup option').count()
    tally.check('county desk: the villages to choose from are grouped by town', groups === towns && villageChoices === villages, `${groups} groups, ${villageChoices} villages`)
    await a.selectOption('[data-testid="desk-user-role"]', 'display')
    const choices = await a.locator('[data-testid="desk-user-town"] option').allInnerTexts().catch((): string[] => [])
    tally.check('county desk: a display account is for the county or one of its towns', choices.length === towns + 1 && choices.includes(town.name), choices.join(', '))
    await a.selectOption('[data-testid="desk-user-town"]', String(town.id))
    await a.fill('[data-testid="desk-user-password"]', E2E_PASSWORD)
    await a.waitForTimeout(300)
    await a.screenshot({ path: artifactPath('county-desk-town-account-1366.png') })
    const problems = await layoutProblems(a, '[data-testid="desk-user-dialog"]')
    tally.check('county desk: the account dialog has no clipped or overlapping text', problems.length === 0, problems.slice(0, 4).map((p) => `${p.kind} "${p.text}"`).join('; '))
    await a.click('[data-testid="desk-user-submit"]')
    await a.waitForSelector('[data-testid="desk-user-dialog"]', { state: 'detached', timeout: 10_000 }).catch(() => undefined)
    await a.fill('[data-testid="desk-users-q"]', username)
    await a.keyboard.press('Enter')
    const row = a.locator(`[data-testid="desk-user-${username}"]`)
    const rowText = (await row.waitFor({ timeout: 10_000 }).then(() => row.innerText(), () => '')).replace(/\s+/g, ' ')
    tally.check('county desk: the list shows the account with its town', rowText.includes(town.name), rowText)
    tally.check('county desk: no page or console errors', errors.length === 0, errors.slice(0, 3).join(' | '))
  } finally {
    await desk.close()
  }

  const wall = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  try {
    const page = await wall.newPage()
    const requests = watchRequests(page, system.origin)
    const errors = watchErrors(page)
    await signIn(page, system.origin, username, '/')
    const ready = await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 }).then(() => true, () => false)
    tally.check("county: a town account's wall opens and draws its map", ready)
    await page.waitForTimeout(3000) // the charts' animations
    const title = (await page.locator('[data-testid="title-bar"]').innerText()).replace(/\s+/g, '')
    tally.check("county: a town account's wall is the town's (its name, no towns counted)", title.includes(town.name) && !title.includes('个镇'), title)
    const at = await crumbs(page)
    tally.check("county: a town account's breadcrumb starts at its town", at === town.name, at)
    const { blank } = await drawnCharts(page)
    tally.check("county: a town account's wall drew every chart", blank.length === 0, blank.join(', '))
    const problems = await wallLayoutProblems(page)
    await page.screenshot({ path: artifactPath('county-town-account-1920x1080.png') })
    tally.check("county: a town account's wall has no clipped, wrapped or overlapping text", problems.length === 0, describeProblems(problems))
    tally.check("county: a town account's wall asks nothing outside the origin", requests.foreign.length === 0, requests.foreign.slice(0, 3).join(', '))
    tally.check("county: a town account's wall has no page or console errors", errors.length === 0, errors.slice(0, 3).join(' | '))
  } finally {
    await wall.close()
  }
}

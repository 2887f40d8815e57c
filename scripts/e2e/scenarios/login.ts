// Signing in through the login page, as a leader at a desk would.
import type { Browser } from 'playwright-core'
import { apiLogin, artifactPath, E2E_PASSWORD, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'

export async function loginScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  const requests = watchRequests(page, system.origin)
  const errors = watchErrors(page)
  await page.goto(system.origin + '/')
  const form = page.locator('[data-testid="login"]')
  await form.waitFor({ timeout: 30_000 })
  tally.check('[login] sign-in page shown without a token', await form.isVisible())
  await page.screenshot({ path: artifactPath('login-1920x1080.png') })
  await page.fill('input[name="username"]', 'leader')
  await page.fill('input[name="password"]', 'wrong-password')
  await page.click('button[type="submit"]')
  await page.locator('[role="alert"]').waitFor({ timeout: 10_000 })
  tally.check('[login] wrong password is refused in Chinese', /用户名或密码错误/.test(await page.locator('[role="alert"]').innerText()))
  await page.fill('input[name="username"]', 'leader')
  await page.fill('input[name="password"]', E2E_PASSWORD)
  await page.click('button[type="submit"]')
  let ready = true
  try {
    await page.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
  } catch {
    ready = false
  }
  tally.check('[login] leader signs in and the map loads', ready)
  const header = await page.locator('[data-testid="title-bar"]').innerText()
  tally.check('[login] signed-in user shown with a sign-out button', /镇领导/.test(header) && /退出/.test(header))
  // The wrong password's 401 shows up as a console resource error; that one is expected.
  const unexpected = errors.filter((e) => !/status of 401/.test(e))
  tally.check('[login] no unexpected page or console errors', unexpected.length === 0, unexpected.slice(0, 3).join(' | '))
  tally.check('[login] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 3).join(', '))
  await context.close()

  // a person's token in an address is refused: only a wall's display token may sign in that way
  const walls = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const wall = await walls.newPage()
  const sent: string[] = []
  wall.on('request', (r) => sent.push(r.url()))
  const dispatcherToken = await apiLogin(system.origin, 'dispatcher')
  await wall.goto(`${system.origin}/#token=${dispatcherToken}`)
  await wall.locator('[role="alert"]').waitFor({ timeout: 20_000 })
  tally.check('[login] a dispatcher token in the address is refused', /只能用于大屏显示账号/.test(await wall.locator('[role="alert"]').innerText()))
  tally.check('[login] the refused token is not kept', (await wall.evaluate(() => localStorage.getItem('shuzhi.token'))) === null)
  tally.check('[login] no address the browser sent carries the token', !sent.some((u) => u.includes(dispatcherToken)), sent.find((u) => u.includes(dispatcherToken)))
  await walls.close()
}

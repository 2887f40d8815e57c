// Issue 29, engineer H: a township's own trucks and sanitation facilities get in through the
// screens, not only the fixtures. The admin, signed in at 1366×768, opens 车辆与设施, registers a
// truck (a plate already on the road is refused with the server's reason) and a collection point
// placed on the map; the truck is in the register's list and in 车辆管理, and an open wall's vehicle
// panel lists it without a reload (the register tells the screens: data_changed vehicles).
import { writeFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const WALL = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const PLATE = '鲁Q·E2E01'
const POINT = '东村口测试收集点'

export async function dailyFleetScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const step = (name: string, ok: boolean, detail = '') => tally.check(`[daily-fleet] ${name}`, ok, detail)
  const seen = (page: Page, selector: string, timeout = 15_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const layout = async (page: Page, what: string, scope = 'body') => {
    const problems = await layoutProblems(page, scope)
    step(`${what}: no clipped, overflowing or overlapping text`, problems.length === 0,
      problems.slice(0, 4).map((p) => `${p.kind}: ${p.text}${p.other ? ` × ${p.other}` : ''}`).join(' | '))
  }
  const errors: string[] = []
  const foreign: string[] = []
  const watch = (page: Page) => {
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine))
    return mine
  }
  const demoPlate = await fetch(`${system.origin}/api/vehicles`, { headers: { Authorization: `Bearer ${await apiLogin(system.origin, 'admin')}` } })
    .then((r) => r.json() as Promise<{ plate: string }[]>).then((l) => l[0].plate)

  // ── an open wall, before the truck exists
  const wallContext = await browser.newContext(WALL)
  const wall = await wallContext.newPage()
  const wallErrors = watch(wall)
  await wall.goto(`${system.origin}/#token=${await apiLogin(system.origin, 'display')}`)
  await wall.waitForSelector('body[data-map-ready="1"]', { timeout: 60_000 })
  await seen(wall, '[data-testid="vehicle-panel"] tbody tr')

  // ── 29.H 车辆与设施: the admin registers a truck on the desk
  const deskContext = await browser.newContext(DESK)
  const d = await deskContext.newPage()
  const deskErrors = watch(d)
  await signIn(d, system.origin, 'admin', '/desk/')
  const nav = await seen(d, '[data-testid="desk-nav-facilities"]')
  step('29.H 车辆与设施 is in the admin\'s menu', nav)
  if (!nav) return
  await d.click('[data-testid="desk-nav-facilities"]')
  step('29.H the register lists the trucks on the road', await seen(d, '[data-testid="desk-facilities-vehicles"] tbody tr'))
  await d.click('[data-testid="desk-facilities-new-vehicles"]')
  // a plate already on a truck on the road: the server's 409 shown in words
  await d.fill('[data-testid="desk-vehicle-plate"]', demoPlate.replace('·', ' '))
  await d.fill('[data-testid="desk-vehicle-name"]', '东片压缩车')
  await d.fill('[data-testid="desk-vehicle-driver"]', '赵师傅')
  await d.fill('[data-testid="desk-vehicle-phone"]', '13700001234')
  await d.selectOption('[data-testid="desk-vehicle-kind"]', 'compactor')
  await d.selectOption('[data-testid="desk-vehicle-village"]', { index: 1 })
  await d.click('[data-testid="desk-vehicle-save"]')
  const refused = await seen(d, '[data-testid="desk-vehicle-error"]', 10_000)
  const reason = refused ? await d.locator('[data-testid="desk-vehicle-error"]').innerText() : ''
  step('29.H a plate already on the road is refused with the reason', reason.includes('已登记'), reason)
  await layout(d, 'the truck form at 1366×768', '[data-testid="desk-facilities"]')
  await d.screenshot({ path: artifactPath('daily-fleet-desk-refused-1366.png') })
  await d.fill('[data-testid="desk-vehicle-plate"]', PLATE)
  await d.click('[data-testid="desk-vehicle-save"]')
  const listed = await seen(d, `[data-testid="desk-facilities-vehicle-${PLATE}"]`, 10_000)
  step('29.H the registered truck is in the register\'s list', listed, listed ? await d.locator(`[data-testid="desk-facilities-vehicle-${PLATE}"]`).innerText() : '')
  await layout(d, 'the register at 1366×768', '[data-testid="desk-facilities"]')
  await d.screenshot({ path: artifactPath('daily-fleet-desk-vehicles-1366.png') })

  // ── 导入车辆: a sheet of two trucks, previewed (dry run), then imported all at once
  const sheet = artifactPath('daily-fleet-trucks.csv')
  writeFileSync(sheet, `\uFEFF车牌号,车辆类型,名称,驾驶员,联系电话,所属村\r\n鲁QE2E02,挂桶式垃圾车,西片挂桶车,钱师傅,13700002222,\r\n鲁Q D23456,洒水车,,孙师傅,,\r\n`)
  await d.click('[data-testid="desk-facilities-import-vehicles"]')
  await d.setInputFiles('[data-testid="desk-fleet-import-file"]', sheet)
  const would = await d.waitForSelector('[data-testid="desk-fleet-import-would"]', { timeout: 20_000 }).then((e) => e.innerText(), () => '')
  step('29.H 导入车辆 previews the sheet\'s trucks (dry run)', would === '2', would || await d.locator('[data-testid="desk-fleet-import-summary"]').innerText().catch(() => ''))
  await layout(d, 'the import preview at 1366×768', '[data-testid="desk-fleet-import"]')
  await d.screenshot({ path: artifactPath('daily-fleet-desk-import-1366.png') })
  await d.click('[data-testid="desk-fleet-import-submit"]')
  const imported = await seen(d, '[data-testid="desk-facilities-vehicle-鲁Q·E2E02"]', 15_000)
  step('29.H the imported trucks are in the list', imported)

  // ── a collection point placed on the map
  await d.click('[data-testid="desk-facilities-tab-points"]')
  await d.click('[data-testid="desk-facilities-new-points"]')
  await d.fill('[data-testid="desk-points-name"]', POINT)
  await d.selectOption('[data-testid="desk-points-village"]', { index: 1 })
  await d.fill('[data-testid="desk-points-bins"]', '4')
  const mapReady = await seen(d, '[data-testid="desk-point-map"][data-ready="1"]', 30_000)
  // the picker centres the village's label point, which lies inside it
  const box = (await d.locator('[data-testid="desk-point-map"] canvas').boundingBox())!
  await d.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await d.screenshot({ path: artifactPath('daily-fleet-desk-point-form-1366.png') })
  await d.click('[data-testid="desk-points-save"]')
  const pointSaved = await d.waitForFunction((name) => document.querySelector('[data-testid="desk-facilities-points"]')?.textContent?.includes(name), POINT, { timeout: 10_000 }).then(() => true, () => false)
  step('29.H a collection point placed on the map is in the list', mapReady && pointSaved, pointSaved ? '' : await d.locator('[data-testid="desk-points-error"]').innerText().catch(() => 'map not ready'))
  await layout(d, 'the collection points at 1366×768', '[data-testid="desk-facilities"]')
  await d.screenshot({ path: artifactPath('daily-fleet-desk-points-1366.png') })

  // ── 车辆管理 (the desk's fleet) knows the new truck
  await d.click('[data-testid="desk-nav-fleet"]')
  const inFleet = await d.waitForFunction((p) => document.querySelector('[data-testid="desk-fleet"]')?.textContent?.includes(p), PLATE, { timeout: 10_000 }).then(() => true, () => false)
  step('29.H 车辆管理 lists the new truck', inFleet)

  // ── the open wall's vehicle panel lists it, without a reload
  const onWall = await wall.waitForFunction((p) => document.querySelector('[data-testid="vehicle-panel"]')?.textContent?.includes(p), PLATE, { timeout: 15_000 }).then(() => true, () => false)
  step('29.H the wall\'s vehicle panel lists the new truck without a reload', onWall)
  const row = wall.locator('[data-testid="vehicle-panel"] tr', { hasText: PLATE })
  await row.scrollIntoViewIfNeeded().catch(() => undefined)
  await wall.screenshot({ path: artifactPath('daily-fleet-wall-1920.png') })

  // the duplicate plate's 409 is the refusal this scenario asks for; nothing else may fail
  const unexpected = [...deskErrors, ...wallErrors].filter((e) => !/status of 409/.test(e))
  step('29.H no page errors', unexpected.length === 0, unexpected.slice(0, 3).join(' | '))
  step('29.H no request leaves the origin', foreign.length === 0, foreign.slice(0, 3).join(' '))
  await deskContext.close()
  await wallContext.close()
}

/**
 * An empty start (FIXTURES_DIR=none), checked inside the golive scenario's empty system (a system
 * of its own here cost two minutes): the checklist offers trucks and collection points as an
 * optional step, and 车辆与设施 and 车辆管理 say there is no truck yet and how to put one in.
 * `d` is an admin's desk page at 1366×768; it is left on 车辆管理.
 */
export async function fleetEmptyStart(d: Page, step: (name: string, ok: boolean, detail?: string) => void): Promise<void> {
  await d.click('[data-testid="desk-nav-setup"]')
  const optional = await d.waitForSelector('[data-testid="desk-setup-optional-fleet"]', { timeout: 15_000 }).then(() => true, () => false)
  step('29.H empty start: 底数导入 offers 车辆与收集点 as an optional step', optional,
    (await d.locator('[data-testid="desk-setup-step-fleet"]').innerText().catch(() => '')).replace(/\s+/g, ' '))
  await d.click('[data-testid="desk-nav-facilities"]')
  const empty = await d.waitForSelector('[data-testid="desk-facilities-empty-vehicles"]', { timeout: 15_000 }).then((e) => e.innerText(), () => '')
  step('29.H empty start: 车辆与设施 says no truck yet, 登记车辆 or 导入', empty.includes('尚无车辆') && empty.includes('登记车辆') && empty.includes('导入车辆'), empty)
  const problems = await layoutProblems(d, '[data-testid="desk-facilities"]')
  step('29.H the empty register at 1366×768: no clipped, overflowing or overlapping text', problems.length === 0, problems.slice(0, 3).map((p) => `${p.kind}: ${p.text}`).join(' | '))
  await d.screenshot({ path: artifactPath('daily-fleet-empty-desk-1366.png') })
  await d.click('[data-testid="desk-nav-fleet"]')
  const fleet = await d.waitForSelector('[data-testid="desk-fleet-empty"]', { timeout: 15_000 }).then((e) => e.innerText(), () => '')
  step('29.H empty start: 车辆管理 points to 车辆与设施', fleet.includes('车辆与设施'), fleet)
}

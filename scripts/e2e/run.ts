// `npm run e2e`: the system as a user meets it, in headless Chromium.
import { launchBrowser, startSystem, Tally } from './harness.ts'
import { loginScenario } from './scenarios/login.ts'
import { drillScenario } from './scenarios/drill.ts'
import { vehiclesScenario } from './scenarios/vehicles.ts'
import { workOrdersScenario } from './scenarios/work-orders.ts'
import { deskScenario } from './scenarios/desk.ts'
import { residentScenario } from './scenarios/resident.ts'
import { populationPhoneScenario } from './scenarios/population-phone.ts'
import { populationScenario } from './scenarios/population.ts'
import { loopScenario } from './scenarios/loop.ts'
import { disputesScenario } from './scenarios/disputes.ts'
import { wallsScenario } from './scenarios/walls.ts'
import { countyScenario } from './scenarios/county.ts'
import { goliveScenario } from './scenarios/golive.ts'
import { gridEditorScenario } from './scenarios/grid-editor.ts'
import { onboardingScenario } from './scenarios/onboarding.ts'
import { ledgersScenario } from './scenarios/ledgers.ts'
import { coverageScenario } from './scenarios/coverage.ts'
import { fundsScenario } from './scenarios/funds.ts'
import { dailyMediaScenario } from './scenarios/daily-media.ts'
import { dailyPhoneScenario } from './scenarios/daily-phone.ts'
import { dailyControlsScenario } from './scenarios/daily-controls.ts'
import { dailyFleetScenario } from './scenarios/daily-fleet.ts'
import { dailyLiveScenario } from './scenarios/daily-live.ts'
import { dailyWallScenario } from './scenarios/daily-wall.ts'
import { dailyAdminScenario } from './scenarios/daily-admin.ts'
import { dailyOrdersScenario } from './scenarios/daily-orders.ts'

// `npm run e2e -- vehicles drill` runs only those scenarios ('map' is part of 'drill')
const only = process.argv.slice(2).map((n) => (n === 'map' ? 'drill' : n))
const want = (name: string) => only.length === 0 || only.includes(name)
const tally = new Tally()
const system = await startSystem()
console.log(`system up at ${system.origin}: /api/health answered ${(system.startupMs / 1000).toFixed(1)} s after start (fresh data dir${process.env.PGLITE_SEED === "0" ? "" : ", from the cached seed when there is one"})`)
const browser = await launchBrowser()
const scenarios: [string, () => Promise<void>][] = [
  ['login', () => loginScenario(browser, system, tally)],
  ['drill', () => drillScenario(browser, system, tally)],
  ['vehicles', () => vehiclesScenario(browser, system, tally)],
  ['workorders', () => workOrdersScenario(browser, system, tally)],
  ['desk', () => deskScenario(browser, system, tally)],
  ['resident', () => residentScenario(browser, system, tally)],
  ['phone15', () => populationPhoneScenario(browser, system, tally)],
  ['population', () => populationScenario(browser, system, tally)],
  ['loop', () => loopScenario(browser, system, tally)],
  // 列管/撤管 on the phone and the desk, a camera added on the desk: the wall's 智慧管理 follows
  ['ledgers', () => ledgersScenario(browser, system, tally)],
  ['disputes', () => disputesScenario(browser, system, tally)],
  // 网格划分: it redraws village 5's grids, so after the scenarios that read them
  ['grideditor', () => gridEditorScenario(browser, system, tally)],
  // 疫网即办 and 党建先锋 moved on an open wall by a 医保局 import and a star review
  ['coverage', () => coverageScenario(browser, system, tally)],
  // 民生资金: 民政 imports, a leader publishes, a resident reads 公开 at /r/
  ['funds', () => fundsScenario(browser, system, tally)],
  // issue 29: photos in a viewer everywhere, the desk's fleet map (a simulator drives the trucks)
  ['daily-media', () => dailyMediaScenario(browser, system, tally)],
  // issue 29 on the phone: households told apart, newborns before 户口, cadres' and departments' phones
  ['daily-phone', () => dailyPhoneScenario(browser, system, tally)],
  // issue 29: the apps' own zh-CN controls in an en-US browser, ranks, tabs by role
  ['daily-controls', () => dailyControlsScenario(browser, system, tally)],
  // 29 (H): a truck and a collection point registered on the desk, on the wall at once
  ['daily-fleet', () => dailyFleetScenario(browser, system, tally)],
  // issue 29 (live): restarts the API twice (SIGTERM, SIGKILL); the same system comes back
  ['daily-live', () => dailyLiveScenario(browser, system, tally)],
  // issue 29, the wall's map: fitted views, place names, search, links to and from the desk
  ['daily-wall', () => dailyWallScenario(browser, system, tally)],
  // issue 29.16, 29.14, 29.11 (walls): walls named, toured, linked and reloaded from the desk; exports; 派单单
  ['daily-admin', () => dailyAdminScenario(browser, system, tally)],
  // issue 29, orders: 不满意 → 重办, 作废, 合并, 常用语, names and units in timelines
  ['daily-orders', () => dailyOrdersScenario(browser, system, tally)],
  // last: it kills and restarts the API
  ['walls', () => wallsScenario(browser, system, tally)],
  // a system of its own: a county of three towns
  ['county', () => countyScenario(browser, tally)],
  // a system of its own, started empty (FIXTURES_DIR=none)
  ['golive', () => goliveScenario(browser, tally)],
  // a system of its own, started empty: a township's own files in through the screens
  ['onboarding', () => onboardingScenario(browser, tally)],
]
// what each scenario cost, printed at the end: CI has a time budget and this says where it goes
const took: string[] = []
try {
  for (const [name, run] of scenarios) {
    if (!want(name)) continue
    const t0 = performance.now()
    await run()
    took.push(`${name} ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  }
} catch (err) {
  tally.check('scenario ran to the end', false, (err as Error).stack ?? String(err))
} finally {
  await browser.close()
  await system.stop()
}
console.log(`\nscenarios: ${took.join(', ')}`)
// again at the end: CI keeps only the tail of a long log, and a failure 400 lines up is lost there
if (tally.failures.length) console.log(`\nfailed:\n${tally.failures.map((f) => f.slice(0, 600)).join('\n')}`)
console.log(`\ne2e: ${tally.passed} passed, ${tally.failed} failed`)
console.log(`${tally.passed} passed, ${tally.failed} failed`)
process.exit(tally.failed ? 1 : 0)

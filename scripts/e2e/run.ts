// `npm run e2e`: the system as a user meets it, in headless Chromium.
import { launchBrowser, startSystem, Tally } from './harness.ts'
import { loginScenario } from './scenarios/login.ts'
import { mapScenario } from './scenarios/map.ts'
import { drillScenario } from './scenarios/drill.ts'
import { vehiclesScenario } from './scenarios/vehicles.ts'
import { workOrdersScenario } from './scenarios/work-orders.ts'
import { deskScenario } from './scenarios/desk.ts'
import { residentScenario } from './scenarios/resident.ts'
import { populationPhoneScenario } from './scenarios/population-phone.ts'
import { populationScenario } from './scenarios/population.ts'
import { loopScenario } from './scenarios/loop.ts'
import { wallsScenario } from './scenarios/walls.ts'

// `npm run e2e -- vehicles drill` runs only those scenarios
const only = process.argv.slice(2)
const want = (name: string) => only.length === 0 || only.includes(name)
const tally = new Tally()
const system = await startSystem()
console.log(`system up at ${system.origin}: /api/health answered ${(system.startupMs / 1000).toFixed(1)} s after start (fresh data dir)`)
const browser = await launchBrowser()
try {
  if (want('login')) await loginScenario(browser, system, tally)
  if (want('map')) await mapScenario(browser, system, tally)
  if (want('drill')) await drillScenario(browser, system, tally)
  if (want('vehicles')) await vehiclesScenario(browser, system, tally)
  if (want('workorders')) await workOrdersScenario(browser, system, tally)
  if (want('desk')) await deskScenario(browser, system, tally)
  if (want('resident')) await residentScenario(browser, system, tally)
  if (want('phone15')) await populationPhoneScenario(browser, system, tally)
  if (want('population')) await populationScenario(browser, system, tally)
  if (want('loop')) await loopScenario(browser, system, tally)
  // last: it kills and restarts the API
  if (want('walls')) await wallsScenario(browser, system, tally)
} catch (err) {
  tally.check('scenario ran to the end', false, (err as Error).stack ?? String(err))
} finally {
  await browser.close()
  await system.stop()
}
console.log(`\ne2e: ${tally.passed} passed, ${tally.failed} failed`)
console.log(`${tally.passed} passed, ${tally.failed} failed`)
process.exit(tally.failed ? 1 : 0)

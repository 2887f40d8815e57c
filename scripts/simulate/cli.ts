// `npm run simulate -- --vehicles N --hz H --target URL [--username device] [--password P]`
// Drives the demo township's garbage trucks against a running API through its public
// ingest route. The password defaults to DEMO_PASSWORD.
import { parseArgs } from 'node:util'
import { FIXTURES_DIR } from '../../api/db/fixtures.ts'
import { loadRoutes } from './routes.ts'
import { startSimulator } from './simulator.ts'

const { values } = parseArgs({
  options: {
    vehicles: { type: 'string', default: '12' },
    hz: { type: 'string', default: '1' },
    target: { type: 'string', default: 'http://127.0.0.1:3000' },
    username: { type: 'string', default: 'device' },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? '' },
    protocol: { type: 'string', default: 'http' },
    faults: { type: 'string', default: 'on' },
  },
})

const vehicles = Number(values.vehicles)
const hz = Number(values.hz)
if (!Number.isInteger(vehicles) || vehicles < 1 || vehicles > 100_000) throw new Error('--vehicles must be an integer in [1, 100000]')
if (!(hz > 0 && hz <= 10)) throw new Error('--hz must be in (0, 10]')
if (values.protocol !== 'http') throw new Error(`--protocol ${values.protocol}: only http is available so far`)
if (!values.password) throw new Error('give --password or set DEMO_PASSWORD')

const login = await fetch(`${values.target}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: values.username, password: values.password }),
})
if (!login.ok) throw new Error(`login as ${values.username} failed: HTTP ${login.status} ${await login.text()}`)
const { token } = (await login.json()) as { token: string }

const sim = startSimulator({
  target: values.target, token, routes: loadRoutes(FIXTURES_DIR), vehicles, hz, faults: values.faults !== 'off',
  log: (line) => console.log(`[simulator] ${line}`),
})
console.log(`[simulator] ${vehicles} vehicles at ${hz} Hz → ${values.target}`)
const report = setInterval(() => {
  const s = sim.stats
  console.log(`[simulator] sent ${s.sent}, accepted ${s.accepted}, rejected ${s.rejected}, failed requests ${s.failedRequests}, queued ${s.queued}`)
}, 10_000)
process.on('SIGINT', () => {
  clearInterval(report)
  void sim.stop().then(() => process.exit(0))
})

// `npm run simulate -- --vehicles N --hz H --target URL [--username device] [--password P]
//                     [--protocol http|jt808] [--jt808 host:port]`
// Drives the demo township's garbage trucks against a running API: through its public ingest
// route (http, signing in; the password defaults to DEMO_PASSWORD), or as JT/T 808 terminals
// on the gateway (jt808; the demo terminals bound at first start, 2013 and 2019 editions).
import { parseArgs } from 'node:util'
import { FIXTURES_DIR } from '../../api/db/fixtures.ts'
import { loadCollectionPoints, loadRoutes } from './routes.ts'
import { startSimulator } from './simulator.ts'
import { httpTransport, type Transport } from './transport.ts'
import { jt808Transport } from './jt808/transport.ts'

const { values } = parseArgs({
  options: {
    vehicles: { type: 'string', default: '12' },
    hz: { type: 'string', default: '1' },
    target: { type: 'string', default: 'http://127.0.0.1:3000' },
    username: { type: 'string', default: 'device' },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? '' },
    protocol: { type: 'string', default: 'http' },
    jt808: { type: 'string', default: '' },
    faults: { type: 'string', default: 'on' },
  },
})

const vehicles = Number(values.vehicles)
const hz = Number(values.hz)
if (!Number.isInteger(vehicles) || vehicles < 1 || vehicles > 100_000) throw new Error('--vehicles must be an integer in [1, 100000]')
if (!(hz > 0 && hz <= 10)) throw new Error('--hz must be in (0, 10]')
if (values.protocol !== 'http' && values.protocol !== 'jt808') throw new Error(`--protocol must be http or jt808, got ${values.protocol}`)

async function transport(): Promise<Transport> {
  if (values.protocol === 'jt808') {
    // the gateway listens on the API's host unless told otherwise
    const where = values.jt808 || `${new URL(values.target).hostname}:${process.env.JT808_PORT || 8808}`
    const m = /^(.+):(\d+)$/.exec(where)
    if (!m) throw new Error(`--jt808 must be host:port, got ${where}`)
    return jt808Transport(m[1].replace(/^\[|\]$/g, ''), Number(m[2]), loadCollectionPoints(FIXTURES_DIR))
  }
  if (!values.password) throw new Error('give --password or set DEMO_PASSWORD')
  const login = await fetch(`${values.target}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: values.username, password: values.password }),
  })
  if (!login.ok) throw new Error(`login as ${values.username} failed: HTTP ${login.status} ${await login.text()}`)
  const { token } = (await login.json()) as { token: string }
  return httpTransport(values.target, token)
}

const sim = startSimulator({
  transport: await transport(), routes: loadRoutes(FIXTURES_DIR), vehicles, hz, faults: values.faults !== 'off',
  log: (line) => console.log(`[simulator] ${line}`),
})
console.log(`[simulator] ${vehicles} vehicles at ${hz} Hz → ${values.protocol === 'jt808' ? 'JT/T 808 gateway' : values.target}`)
const report = setInterval(() => {
  const s = sim.stats
  console.log(`[simulator] sent ${s.sent}, accepted ${s.accepted}, rejected ${s.rejected}, failed requests ${s.failedRequests}, queued ${s.queued}`)
}, 10_000)
process.on('SIGINT', () => {
  clearInterval(report)
  void sim.stop().then(() => process.exit(0))
})

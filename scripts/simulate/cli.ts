// `npm run simulate -- --vehicles N|all --hz H --target URL [--username device] [--password P]
//                     [--protocol http|jt808] [--jt808 host:port] [--codes FILE] [--report S]`
// With jt808, SIGUSR2 makes the driver of --emergency-vehicle (1) press the emergency button
// (kill -USR2 <pid>; npm start prints the simulator's pid).
// Drives the demo township's garbage trucks against a running API: through its public ingest
// route (http, signing in, the password defaults to DEMO_PASSWORD; or with the token in
// SIMULATOR_TOKEN), or as JT/T 808 terminals on the gateway (jt808; the demo terminals bound at
// first start, 2013 and 2019 editions), which keep their auth codes in --codes (default
// DATA_DIR/simulator-auth-codes.json) as real terminals keep them in flash. npm start runs this
// as its child process; it stops when its parent goes.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { FIXTURES_DIR } from '../../api/db/fixtures.ts'
import { loadCollectionPoints, loadPlates, loadRoutes } from './routes.ts'
import { startSimulator } from './simulator.ts'
import { httpTransport, type Transport } from './transport.ts'
import { jt808Transport } from './jt808/transport.ts'
import { fileAuthCodes } from './jt808/auth-codes.ts'

const { values } = parseArgs({
  options: {
    vehicles: { type: 'string', default: '12' },
    hz: { type: 'string', default: '1' },
    target: { type: 'string', default: 'http://127.0.0.1:3000' },
    username: { type: 'string', default: 'device' },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? '' },
    protocol: { type: 'string', default: 'http' },
    jt808: { type: 'string', default: '' },
    codes: { type: 'string', default: join(process.env.DATA_DIR || './data', 'simulator-auth-codes.json') },
    faults: { type: 'string', default: 'on' },
    report: { type: 'string', default: '10' },
    'emergency-vehicle': { type: 'string', default: '1' },
  },
})

const log = (line: string) => console.log(`[simulator] ${line}`)
const routes = loadRoutes(FIXTURES_DIR)
const vehicles = values.vehicles === 'all' ? routes.length : Number(values.vehicles)
const reportS = Number(values.report)
if (!(reportS >= 0)) throw new Error('--report must be a number of seconds (0: off)')
const hz = Number(values.hz)
if (!Number.isInteger(vehicles) || vehicles < 1 || vehicles > 100_000) throw new Error('--vehicles must be an integer in [1, 100000]')
if (!(hz > 0 && hz <= 10)) throw new Error('--hz must be in (0, 10]')
if (values.protocol !== 'http' && values.protocol !== 'jt808') throw new Error(`--protocol must be http or jt808, got ${values.protocol}`)

async function transport(): Promise<Transport> {
  if (values.protocol === 'jt808') {
    const vehicleId = Number(values['emergency-vehicle'])
    // the gateway listens on the API's host unless told otherwise
    const where = values.jt808 || `${new URL(values.target).hostname}:${process.env.JT808_PORT || 8808}`
    const m = /^(.+):(\d+)$/.exec(where)
    if (!m) throw new Error(`--jt808 must be host:port, got ${where}`)
    const t = jt808Transport(m[1].replace(/^\[|\]$/g, ''), Number(m[2]), loadCollectionPoints(FIXTURES_DIR), {
      codes: fileAuthCodes(values.codes, log), plates: loadPlates(FIXTURES_DIR),
    })
    process.on('SIGUSR2', () => {
      log(`${vehicleId} 号车驾驶员按下紧急报警按钮`)
      t.pressEmergency(vehicleId).catch((err: Error) => log(`紧急报警未能发出: ${err.message}`))
    })
    return t
  }
  if (process.env.SIMULATOR_TOKEN) return httpTransport(values.target, process.env.SIMULATOR_TOKEN)
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

let sim: ReturnType<typeof startSimulator> | undefined
let report: NodeJS.Timeout | undefined
let stopping = false
function stop() {
  if (stopping) return
  stopping = true
  clearInterval(report)
  // a gateway that went away leaves replies unanswered: do not wait for their timeouts
  setTimeout(() => process.exit(0), 5000).unref()
  void (sim?.stop() ?? Promise.resolve()).then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
// started by the API (npm start) with an IPC channel: it closes when the API process goes,
// however it went, and the trucks stop with it
if (process.send) process.on('disconnect', stop)

const chosen = await transport()
if (!stopping) {
  sim = startSimulator({ transport: chosen, routes, vehicles, hz, faults: values.faults !== 'off', log })
  log(`${vehicles} vehicles at ${hz} Hz → ${values.protocol === 'jt808' ? 'JT/T 808 gateway' : values.target}`)
  if (reportS > 0) {
    const running = sim
    report = setInterval(() => {
      const s = running.stats
      log(`sent ${s.sent}, accepted ${s.accepted}, rejected ${s.rejected}, failed requests ${s.failedRequests}, queued ${s.queued}`)
    }, reportS * 1000)
  }
}

// `tsx scripts/simulate/life-cli.ts [--target URL] [--tick S] [--speed N] [--seed N] [--password P]`
// The demo township's life (README: "The demo township lives"): residents and grid workers
// report, grid workers visit, the command center and the village cadres move orders along the
// loop, a dispute now and then — at the rates of life/rates.ts, through the API as the demo
// accounts. npm start runs it as its child process (with the truck simulator; SIMULATOR=off
// stops both) and hands it the accounts' tokens over IPC; run by hand, it signs in with the
// demo password (--password or DEMO_PASSWORD). It stops when its parent goes.
import { parseArgs } from 'node:util'
import { Rng } from '../../geo/random.ts'
import { lifeApi, type TokenSource } from './life/client.ts'
import { LIFE_KINDS, LIFE_PER_HOUR, type LifeCounts, LifePace, noCounts } from './life/rates.ts'
import { lifeStep, lifeWorld, type LifeWorld } from './life/step.ts'

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'http://127.0.0.1:3000' },
    tick: { type: 'string', default: '60' },
    // the rates times N: a township at N times its pace (a showcase, the tests)
    speed: { type: 'string', default: '1' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? '' },
  },
})
const log = (line: string) => console.log(`[simulator] ${line}`)
const tickS = Number(values.tick)
if (!(tickS >= 1 && tickS <= 3600)) throw new Error('--tick must be seconds in [1, 3600]')
const speed = Number(values.speed)
if (!(speed > 0 && speed <= 600)) throw new Error('--speed must be in (0, 600]')
const perHour = Object.fromEntries(LIFE_KINDS.map((k) => [k, LIFE_PER_HOUR[k] * speed])) as unknown as LifeCounts

/** tokens from the parent (npm start) over IPC, or by signing in with the demo password */
function tokenSource(): TokenSource {
  const cache = new Map<string, string | null>()
  let next = 0
  const waiting = new Map<number, (answer: unknown) => void>()
  process.on('message', (m: { id: number; answer: unknown }) => waiting.get(m.id)?.(m.answer))
  const ask = (q: unknown) => new Promise<unknown>((resolve) => {
    const id = ++next
    waiting.set(id, (a) => { waiting.delete(id); resolve(a) })
    process.send!({ id, ask: q })
  })
  const signIn = async (username: string) => {
    const res = await fetch(`${values.target}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: values.password }),
    })
    return res.ok ? ((await res.json()) as { token: string }).token : null
  }
  if (!process.send && !values.password) throw new Error('give --password or set DEMO_PASSWORD')
  return async (username, fresh) => {
    if (fresh || !cache.has(username)) {
      const token = process.send ? ((await ask({ token: username })) as string | null) : await signIn(username)
      cache.set(username, token)
    }
    return cache.get(username) ?? null
  }
}

const api = lifeApi(values.target, tokenSource())
const rng = new Rng(Number(values.seed))
const pace = new LifePace(perHour)
let timer: NodeJS.Timeout | undefined
let stopping = false
const stop = () => {
  stopping = true
  clearTimeout(timer)
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (process.send) process.on('disconnect', stop)

let world: LifeWorld | null = null
const hour = noCounts()
let ticks = 0
let failures = 0
async function tick() {
  try {
    world ??= await lifeWorld(api)
    const done = await lifeStep(api, world, pace.next(tickS / 60), rng)
    hour.residentReports += done.residentReports.length
    hour.gridReports += done.gridReports.length
    hour.disputes += done.disputes.length
    hour.visits += done.visits.length
    hour.dispatches += done.dispatched.length
    hour.handles += done.handled.length
    hour.reviews += done.reviewed.length
    hour.replies += done.replied.length
    hour.ratings += done.rated.length + done.ratedByResidents.length
    // the first failures say what is wrong; after that, the hourly line counts them
    for (const f of done.failures) if (failures++ < 5) log(f)
  } catch (err) {
    if (failures++ < 5) log(`步骤失败 (稍后再试): ${(err as Error).message}`)
  }
  if (++ticks % Math.max(1, Math.round(3600 / tickS)) === 0) {
    log(`近一小时: ${LIFE_KINDS.map((k) => `${k} ${hour[k]}`).join(', ')}; 失败累计 ${failures}`)
    Object.assign(hour, noCounts())
  }
  if (!stopping) timer = setTimeout(() => void tick(), tickS * 1000)
}
log(`示范镇的日常 (每小时): ${LIFE_KINDS.map((k) => `${k} ${perHour[k]}`).join(', ')}; 每 ${tickS} 秒一步`)
timer = setTimeout(() => void tick(), tickS * 1000)

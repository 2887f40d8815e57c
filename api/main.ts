// Entry point of `npm start`: embedded database (or DATABASE_URL), fixtures on first start (or
// an empty production start, FIXTURES_DIR=none), the screen built when missing or stale, then the API on PORT.
import { loadConfig } from './config.ts'
import { openDb } from './db/index.ts'
import { migrate } from './db/migrate.ts'
import { isFreshDataDir, readSeed, writeSeed } from './db/seed.ts'
import { buildScreen, screenBuildIsCurrent, screenSourceHash } from './screen/build.ts'
import { buildServer } from './server.ts'
import type { ScreenState } from './screen/static.ts'
import { join } from 'node:path'
import { createSession, findLoginCandidate } from './auth/repository.ts'
import { DemoDatabaseError, prepareDatabase, type StartResult } from './setup/startup.ts'
import { LIFE_CLI, startSimulatorProcess, type SimulatorProcess } from './simulator-process.ts'
import { answerLifeAsk } from './setup/life-tokens.ts'
import { DEFAULT_ALERT_RULES } from './vehicles/alerts.ts'
import { beijingToday } from './population/dates.ts'

const startedAt = Date.now()
const config = loadConfig()
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`
const say = (msg: string) => process.stdout.write(`[数智网格 ${elapsed()}] ${msg}\n`)

const screen: ScreenState = { ready: screenBuildIsCurrent() }
if (!screen.ready) {
  say('大屏构建中 (vite build)…')
  buildScreen((line) => say(`  vite: ${line}`))
    .then(() => {
      screen.ready = true
      say('大屏构建完成')
    })
    .catch((err: Error) => {
      screen.error = err.message
      say(`大屏构建失败: ${err.message}`)
    })
}

say(config.databaseUrl ? '连接 PostgreSQL/PostGIS…' : `打开内置数据库 PGlite + PostGIS (${config.dataDir})…`)
// the seed holds the demo township: never for an empty start
const seedWanted = config.pgliteSeed && config.fixturesDir !== null && !config.databaseUrl && isFreshDataDir(config.dataDir)
const seed = seedWanted ? readSeed() : undefined
if (seed) say('新数据目录: 从缓存的种子库启动 (PGLITE_SEED=1)…')
const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.pgPoolMax, seed })
const applied = await migrate(db)
if (applied.length) say(`数据库迁移: ${applied.join(', ')}`)

let prepared: StartResult
try {
  prepared = await prepareDatabase(db, {
    fixturesDir: config.fixturesDir, demoPassword: config.demoPassword, adminPassword: config.adminPassword, say,
    // the demo lives in today: its fixtures' last day becomes yesterday (api/db/fixture-times.ts)
    today: beijingToday(),
    // the seed is the township without accounts: each system started from it makes its own
    afterLoad: async () => {
      if (seedWanted && !seed) say(`种子库已写入 ${await writeSeed(db)} (PGLITE_SEED=1 的新数据目录从它启动)`)
    },
  })
} catch (err) {
  if (!(err instanceof DemoDatabaseError)) throw err
  say(err.message)
  await db.close().catch(() => {})
  process.exit(1)
}

const app = await buildServer({
  db,
  logger: { level: config.logLevel },
  tileCacheEntries: config.tileCacheEntries,
  redisUrl: config.redisUrl,
  photosDir: config.photosDir,
  trustProxy: config.trustProxy,
  photoRetention: { orphanHours: config.photoOrphanHours },
  cameras: config.cameras,
  jt808: config.jt808Port !== undefined ? { port: config.jt808Port, host: config.host } : undefined,
  vehicles: {
    tickMs: config.vehicles.tickMs,
    historyDays: config.vehicles.historyDays,
    rules: { ...DEFAULT_ALERT_RULES, speedLimitKmh: config.vehicles.speedLimitKmh, offlineAfterSeconds: config.vehicles.offlineAfterSeconds },
  },
  screen: { state: screen },
  // the screen's source hash (what the build is made from): a changed screen is a new version
  version: process.env.BUILD_VERSION || screenSourceHash().slice(0, 12),
})
await app.listen({ port: config.port, host: config.host })
const address = app.server.address()
const port = typeof address === 'object' && address ? address.port : config.port
say(`就绪: http://localhost:${port}/  (API 文档 /api/docs, 数据库 ${db.engine})`)
let simulator: SimulatorProcess | null = null
let life: SimulatorProcess | null = null
// the simulator drives the demo's trucks: a township's real trucks are never driven by it
if (config.simulator && prepared.deployment === 'demo') {
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host
  const target = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  const log = (line: string) => say(`车辆模拟器: ${line}`)
  const common = ['--vehicles', 'all', '--report', '0']
  // With the gateway on, the demo trucks are JT/T 808 terminals (2013 and 2019 editions), so
  // the whole path a real truck takes runs in the demo, and they keep their auth codes in the
  // data directory as real terminals keep them in flash; otherwise they use the HTTP ingest
  // as the `device` account.
  const device = app.jt808 ? null : await findLoginCandidate(db, 'device')
  if (app.jt808) {
    const codes = join(config.dataDir, 'simulator-auth-codes.json')
    simulator = startSimulatorProcess({ args: ['--protocol', 'jt808', '--jt808', `${host}:${app.jt808.port}`, '--codes', codes, ...common], log })
  } else if (device) {
    const { token } = await createSession(db, device.user)
    simulator = startSimulatorProcess({ args: ['--protocol', 'http', '--target', target, ...common], env: { SIMULATOR_TOKEN: token }, log })
  }
  if (simulator) say(`车辆模拟器: 子进程 ${simulator.pid}, ${app.jt808 ? `经 JT/T 808 网关 (端口 ${app.jt808.port})` : '经 HTTP 接口'} (SIMULATOR=off 可关闭)`)
  else say(`车辆模拟器未启动: ${app.jt808 || device ? '找不到 scripts/simulate/cli.ts' : '没有 device 账号'}`)
  // and its people: reports, visits, the loop and a dispute now and then, as the demo accounts
  life = startSimulatorProcess({
    script: LIFE_CLI, args: ['--target', target], log: (line) => say(`示范镇日常: ${line}`), answer: (ask) => answerLifeAsk(db, ask),
  })
  if (life) say(`示范镇日常: 子进程 ${life.pid} (SIMULATOR=off 可关闭)`)
}

let closing = false
async function shutdown(signal: string) {
  if (closing) return
  closing = true
  say(`${signal}: 正在关闭…`)
  await Promise.all([simulator?.stop(), life?.stop()]).catch(() => {})
  await app.close().catch(() => {})
  await db.close().catch(() => {})
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))

// Entry point of `npm start`: embedded database (or DATABASE_URL), fixtures on first
// start, the screen built when missing or stale, then the API on PORT.
import { loadConfig } from './config.ts'
import { openDb } from './db/index.ts'
import { FIXTURES_DIR, isLoaded, loadFixtures } from './db/fixtures.ts'
import { migrate } from './db/migrate.ts'
import { isFreshDataDir, readSeed, writeSeed } from './db/seed.ts'
import { ensureDemoAccounts } from './auth/demo-accounts.ts'
import { buildScreen, screenBuildIsCurrent, screenSourceHash } from './screen/build.ts'
import { buildServer } from './server.ts'
import type { ScreenState } from './screen/static.ts'
import { join } from 'node:path'
import { createSession, findLoginCandidate } from './auth/repository.ts'
import { ensureDemoTerminals } from './terminals/demo.ts'
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.ts'
import { DEFAULT_ALERT_RULES } from './vehicles/alerts.ts'

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
const seedWanted = config.pgliteSeed && !config.databaseUrl && isFreshDataDir(config.dataDir)
const seed = seedWanted ? readSeed() : undefined
if (seed) say('新数据目录: 从缓存的种子库启动 (PGLITE_SEED=1)…')
const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: config.pgPoolMax, seed })
const applied = await migrate(db)
if (applied.length) say(`数据库迁移: ${applied.join(', ')}`)

if (!(await isLoaded(db))) {
  say('首次启动: 载入示例镇数据…')
  let last = ''
  const rows = await loadFixtures(db, FIXTURES_DIR, (table, loaded, total) => {
    const pct = Math.floor((loaded / total) * 100)
    const line = `  ${table} ${loaded}/${total} (${pct}%)`
    if (line !== last && (loaded === total || pct % 25 === 0)) say(line)
    last = line
  })
  say(`示例数据已载入: ${rows} 行`)
  if (seedWanted && !seed) say(`种子库已写入 ${await writeSeed(db)} (PGLITE_SEED=1 的新数据目录从它启动)`)
}

const demo = await ensureDemoAccounts(db, process.env.DEMO_PASSWORD)
if (demo.created) {
  say(`已创建 ${demo.created} 个演示账号 (admin, leader, dispatcher, display, device, cadre-<村ID>, gw-<网格ID>, dept-<部门ID>)`)
  if (demo.password) say(`演示账号初始密码 (仅显示这一次，请妥善保存): ${demo.password}`)
  else say('演示账号密码: 与其他演示账号相同 (DEMO_PASSWORD 或首次启动时显示的密码)')
}

const bound = await ensureDemoTerminals(db)
if (bound) say(`已为 ${bound} 辆车绑定演示 JT/T 808 终端 (GET /api/terminals)`)

const app = await buildServer({
  db,
  logger: { level: config.logLevel },
  tileCacheEntries: config.tileCacheEntries,
  redisUrl: config.redisUrl,
  photosDir: config.photosDir,
  trustProxy: config.trustProxy,
  photoRetention: { orphanHours: config.photoOrphanHours },
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
if (config.simulator) {
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host
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
    const target = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    simulator = startSimulatorProcess({ args: ['--protocol', 'http', '--target', target, ...common], env: { SIMULATOR_TOKEN: token }, log })
  }
  if (simulator) say(`车辆模拟器: 子进程 ${simulator.pid}, ${app.jt808 ? `经 JT/T 808 网关 (端口 ${app.jt808.port})` : '经 HTTP 接口'} (SIMULATOR=off 可关闭)`)
  else say(`车辆模拟器未启动: ${app.jt808 || device ? '找不到 scripts/simulate/cli.ts' : '没有 device 账号'}`)
}

let closing = false
async function shutdown(signal: string) {
  if (closing) return
  closing = true
  say(`${signal}: 正在关闭…`)
  await simulator?.stop().catch(() => {})
  await app.close().catch(() => {})
  await db.close().catch(() => {})
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))

import type { Db } from '../db/types.ts'
import { DEMO_FIXTURES_DIR, fixtureLines, isLoaded, LOAD_LOCK_KEY, loadFixtures, moveRestoredFixtures, readManifest } from '../db/fixtures.ts'
import { recordedDay } from '../db/fixture-times.ts'
import type { Transaction } from '../db/types.ts'
import { ensureDemoAccounts } from '../auth/demo-accounts.ts'
import { hashPassword, randomPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { ensureDemoTerminals } from '../terminals/demo.ts'
import { deploymentOf, recordDeployment, type Deployment } from './deployment.ts'

export interface StartOptions {
  /** the demo township to load on a first start; null: start empty for a real township (FIXTURES_DIR=none) */
  fixturesDir: string | null
  /** the demo accounts' password (DEMO_PASSWORD); random and printed once when not given */
  demoPassword?: string
  /** the first admin's password on an empty start (ADMIN_PASSWORD); random and printed once when not given */
  adminPassword?: string
  say(line: string): void
  /** right after the fixtures are loaded, before any account is made (the PGlite seed is dumped then) */
  afterLoad?(): Promise<void>
  /**
   * The Beijing day (YYYY-MM-DD) the demo lives in (`npm start`: today): the fixtures' times are
   * moved to it when they are loaded, or when a restored seed still holds them as dumped.
   * Without it (the tests) they stay as generated.
   */
  today?: string
}

export interface StartResult {
  deployment: Deployment
  /** fixture rows this start loaded (0 when they were there already, or never are) */
  loadedRows: number
}

/** An empty start asked of a database that holds the demo: refused, not silently turned into production. */
export class DemoDatabaseError extends Error {}

/**
 * The database part of `npm start`, after the migrations: the demo township with its accounts
 * and terminals (the default), or, with FIXTURES_DIR=none on an empty database, one `admin` and
 * nothing else, recorded as production so that no later start puts the demo into it.
 */
export async function prepareDatabase(db: Db, opts: StartOptions): Promise<StartResult> {
  const { say } = opts
  const before = await deploymentOf(db)
  if (before === 'production' || opts.fixturesDir === null) {
    if (before !== 'production') await startEmpty(db, opts)
    else {
      say('生产部署 (settings deployment=production): 不载入示例数据，不创建演示账号和终端，不启动车辆模拟器')
      if (opts.fixturesDir !== null) say(`示例数据 (FIXTURES_DIR=${opts.fixturesDir}) 不载入: 此数据库首次以空库启动，是生产库`)
    }
    return { deployment: 'production', loadedRows: 0 }
  }
  let loadedRows = 0
  if (!(await isLoaded(db))) {
    say('首次启动: 载入示例镇数据…')
    let last = ''
    loadedRows = await loadFixtures(db, opts.fixturesDir, (table, loaded, total) => {
      const pct = Math.floor((loaded / total) * 100)
      const line = `  ${table} ${loaded}/${total} (${pct}%)`
      if (line !== last && (loaded === total || pct % 25 === 0)) say(line)
      last = line
    }, { today: opts.today })
    say(`示例数据已载入: ${loadedRows} 行`)
    await opts.afterLoad?.()
  }
  // a restored seed still holds the times it was dumped with
  const moved = loadedRows > 0 ? Boolean(opts.today) : opts.today ? (await moveRestoredFixtures(db, opts.today, opts.fixturesDir)) !== null : false
  const day = moved ? await recordedDay(db) : null
  if (day) say(`示例数据的时间已移到今天: 最后一天 ${day.lastDay} (昨天)，月度数据到 ${day.month} (本月)`)
  await recordDeployment(db, 'demo')
  const demo = await ensureDemoAccounts(db, opts.demoPassword)
  if (demo.created) {
    say(`已创建 ${demo.created} 个演示账号 (admin, leader, dispatcher, display, device, cadre-<村ID>, gw-<网格ID>, dept-<部门ID>)`)
    if (demo.password) say(`演示账号初始密码 (仅显示这一次，请妥善保存): ${demo.password}`)
    else say('演示账号密码: 与其他演示账号相同 (DEMO_PASSWORD 或首次启动时显示的密码)')
  }
  const bound = await ensureDemoTerminals(db)
  if (bound) say(`已为 ${bound} 辆车绑定演示 JT/T 808 终端 (GET /api/terminals)`)
  return { deployment: 'demo', loadedRows }
}

/**
 * What every township shares with the demo, being the system's and not the township's: the county
 * departments that feed the population database (orders go up to them, 部门报到 accounts answer for
 * them, their data imports fill their items) and the residents' data items, read from the demo's
 * fixtures (checked by their manifest).
 */
const CATALOGUE = ['departments', 'data_items'] as const

async function insertCatalogue(tx: Transaction): Promise<void> {
  const manifest = readManifest(DEMO_FIXTURES_DIR)
  for (const name of CATALOGUE) {
    const table = manifest.tables.find((t) => t.name === name)
    if (!table) throw new Error(`the demo fixtures hold no ${name}`)
    // name is one of CATALOGUE, not input
    await tx.query(`INSERT INTO ${name} SELECT * FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`, ['[' + fixtureLines(DEMO_FIXTURES_DIR, table).join(',') + ']'])
  }
}

/**
 * The first start of a real township: the database must hold nothing yet (no town, village or
 * account); it gets one `admin` and the catalogue, and is marked production, in one transaction,
 * so a start cut short leaves an empty database that the next start treats as new.
 */
async function startEmpty(db: Db, opts: StartOptions): Promise<void> {
  const password = opts.adminPassword || randomPassword()
  const passwordHash = await hashPassword(password)
  const created = await db.transaction(async (tx) => {
    // two processes starting together on one PostgreSQL: one makes the admin, the other finds it
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK_KEY])
    const now = await deploymentOf(tx)
    if (now === 'production') return false
    const held = (await tx.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM towns) OR EXISTS (SELECT 1 FROM villages) OR EXISTS (SELECT 1 FROM users) AS any`)).rows[0].any
    if (now === 'demo' || held) {
      throw new DemoDatabaseError('FIXTURES_DIR=none: 此数据库已有数据 (示例镇或既有账号)，生产部署需从空库开始: 换一个新的 DATA_DIR，或新建一个 PostgreSQL 数据库')
    }
    await recordDeployment(tx, 'production')
    await insertCatalogue(tx)
    await insertUsers(tx, [{ username: 'admin', displayName: '系统管理员', role: 'admin', passwordHash }])
    return true
  })
  opts.say('生产部署: 空库启动 (FIXTURES_DIR=none)，已记为生产库 (settings deployment=production)；以后任何启动都不会载入示例数据')
  if (!created) return
  if (opts.adminPassword) opts.say('已创建管理员账号 admin (密码为 ADMIN_PASSWORD)')
  else opts.say(`已创建管理员账号 admin，初始密码 (仅显示这一次；登录后可在工作台“账号管理”中重置): ${password}`)
  opts.say('下一步: 以 admin 登录工作台 /desk/，按“底数导入”清单导入县镇名称、村界、网格、户、人口和账号')
}

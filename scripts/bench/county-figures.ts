// `npm run bench -- county`: the county of 11 towns (npm run fixtures -- --county), topped up to
// a large county's year (BENCH_ORDERS orders, 500,000 by default), on PostgreSQL:
//   - first start of the API on the county fixtures, on PostgreSQL and on PGlite (fresh, no seed);
//   - p95 of the wall's figures at county, town and village scope and of the league tables, read
//     from the roll-ups (what the API answers) against a recount from the base tables (the code
//     before roll-ups), both in this process on the same database;
//   - p95 of the wall's first load over HTTP at county scope (every request it makes, at once).
//   - the county's wall opened in Chromium (scripts/bench/wall-ready.ts), five times.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgres } from '../../api/db/postgres.ts'
import { getStats } from '../../api/stats/repository.ts'
import { rankings } from '../../api/work-orders/rankings.ts'
import { workOrderKpis } from '../../api/work-orders/kpis.ts'
import { startApiProcess } from './api-process.ts'
import { wallReadySeconds } from './wall-ready.ts'
import { percentile } from './load.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const ORDERS = Number(process.env.BENCH_ORDERS || 500_000)
const RUNS = Number(process.env.BENCH_RUNS || 40)
// the recount takes seconds a run at this size: its p95 over a dozen runs is its slowest but one
const BASELINE_RUNS = Math.min(RUNS, 12)
const DAY = 86_400_000

/** FIXTURES_DIR when it names a county, else the generated county (deterministic), made once */
function countyFixtures(): string {
  if (process.env.FIXTURES_DIR) return process.env.FIXTURES_DIR
  const dir = join(ROOT, 'node_modules/.cache/shuzhi-grid/fixtures-county')
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.log('county: generating the county fixtures (npm run fixtures -- --county, ~40 s)…')
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/fixtures/generate.ts'), '--county', '--out', dir], { cwd: ROOT, stdio: 'ignore' })
  }
  return dir
}

async function firstStart(env: NodeJS.ProcessEnv): Promise<{ ms: number; api: Awaited<ReturnType<typeof startApiProcess>> }> {
  const t = performance.now()
  const api = await startApiProcess(env)
  return { ms: performance.now() - t, api }
}

async function p95(run: (k: number) => Promise<unknown>, runs = RUNS): Promise<number> {
  await run(0)
  const times: number[] = []
  for (let k = 1; k <= runs; k++) {
    const s = performance.now()
    await run(k)
    times.push(performance.now() - s)
  }
  return percentile(times.sort((a, b) => a - b), 95)
}

export async function benchCounty(clusterUrl: string): Promise<void> {
  const fixtures = countyFixtures()
  const admin = new pg.Pool({ connectionString: clusterUrl, max: 1 })
  await admin.query('DROP DATABASE IF EXISTS county_figures WITH (FORCE)')
  await admin.query('CREATE DATABASE county_figures')
  await admin.end()
  const url = clusterUrl.replace(/\/[^/]*$/, '/county_figures')

  // first starts: migrations and the county's fixtures, until /api/health answers
  const dataDir = mkdtempSync(join(tmpdir(), 'county-pglite-'))
  const lite = await firstStart({ FIXTURES_DIR: fixtures, DATA_DIR: dataDir, PGLITE_SEED: '0', DATABASE_URL: '' })
  await lite.api.stop()
  rmSync(dataDir, { recursive: true, force: true })
  const onPg = await firstStart({ FIXTURES_DIR: fixtures, DATABASE_URL: url })
  console.log(`county: first start on the county fixtures (${fixtures}): PGlite ${(lite.ms / 1000).toFixed(1)} s, PostgreSQL ${(onPg.ms / 1000).toFixed(1)} s`)

  const db = await openPostgres({ connectionString: url, statementTimeoutMs: 0 })
  // a large county's year of orders, spread over grids, categories, states and the year; the
  // roll-ups are counted once after it, as the fixture loader does
  const t0 = performance.now()
  await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('shuzhi.rollups', 'off', true)`)
    await tx.query(`
      INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, was_overdue,
                               reporter, satisfaction, created_at, handled_at, closed_at)
      SELECT c.code, '县域压测工单', CASE WHEN i % 3 = 0 THEN 'hotline' ELSE 'gridWorker' END, g.label_point, g.id, g.village_id, s.state,
             t.created + interval '2 days', t.created + interval '3 days', i % 10 = 0, 'gw-' || g.id,
             CASE WHEN s.state = 'closed' THEN 1 + i % 5 END, t.created,
             CASE WHEN s.state IN ('handled', 'reviewed', 'replied', 'closed') THEN t.created + interval '1 day' END,
             CASE WHEN s.state = 'closed' THEN t.created + interval '3 days' END
        FROM generate_series(1, greatest(0, $1 - (SELECT count(*) FROM work_orders))) i
        CROSS JOIN LATERAL (SELECT now() - ((i * 7907) % 525600) * interval '1 minute' AS created) t
        CROSS JOIN LATERAL (SELECT id, village_id, label_point FROM grids WHERE id = 1 + (i * 7919) % (SELECT count(*) FROM grids)) g
        CROSS JOIN LATERAL (SELECT (ARRAY['closed','closed','closed','closed','closed','closed','closed','closed','dispatched','handled','asked','replied'])[1 + i % 12] AS state) s
        CROSS JOIN LATERAL (SELECT code FROM work_order_categories ORDER BY code OFFSET i % 8 LIMIT 1) c`, [ORDERS])
    await tx.query(`SELECT set_config('shuzhi.rollups', 'on', true)`)
    const r = performance.now()
    await tx.query('SELECT rollup_all_orders()')
    console.log(`county: orders topped up in ${((r - t0) / 1000).toFixed(1)} s; the order roll-up counted again from scratch in ${((performance.now() - r) / 1000).toFixed(1)} s`)
  })
  const r = performance.now()
  await db.query('SELECT rollup_all_grids()')
  await db.exec('ANALYZE')
  const size = (await db.query<{ towns: number; villages: number; grids: number; residents: number; orders: number }>(
    `SELECT (SELECT count(*)::int FROM towns) AS towns, (SELECT count(*)::int FROM villages) AS villages, (SELECT count(*)::int FROM grids) AS grids,
            (SELECT count(*)::int FROM residents) AS residents, (SELECT count(*)::int FROM work_orders) AS orders`)).rows[0]
  console.log(`county: ${size.towns} towns, ${size.villages} villages, ${size.grids} grids, ${size.residents.toLocaleString('en')} residents, ${size.orders.toLocaleString('en')} orders; the grid roll-ups counted again from scratch in ${((performance.now() - r) / 1000).toFixed(1)} s`)

  const towns = (await db.query<{ id: number }>('SELECT id FROM towns ORDER BY id')).rows.map((t) => t.id)
  const villages = (await db.query<{ id: number }>('SELECT id FROM villages ORDER BY id')).rows.map((v) => v.id)
  const now = new Date()
  const monthAgo = new Date(now.getTime() - 30 * DAY)
  const yearAgo = new Date(now.getTime() - 365 * DAY)
  const cases: [string, (live: boolean) => (k: number) => Promise<unknown>][] = [
    ['stats, county', (live) => () => getStats(db, { kind: 'county', id: null }, { keyGroupDetail: false, live })],
    ['stats, a town', (live) => (k) => getStats(db, { kind: 'town', id: towns[k % towns.length] }, { keyGroupDetail: false, live })],
    ['stats, a village', (live) => (k) => getStats(db, { kind: 'village', id: villages[(k * 7) % villages.length] }, { keyGroupDetail: false, live })],
    ['league tables, 30 days', (live) => () => rankings(db, monthAgo, now, now, { live })],
    // the wall's league tables are a year's
    ['league tables, county, a year', (live) => () => rankings(db, yearAgo, now, now, { live })],
    ['league tables, a town, a year', (live) => (k) => rankings(db, yearAgo, now, now, { live, townId: towns[k % towns.length] })],
    // the wall's KPI row asks for a year
    ['KPIs, county, a year', (live) => () => workOrderKpis(db, { villageId: null, gridId: null }, yearAgo, now, now, { live })],
    ['KPIs, a town, a year', (live) => (k) => workOrderKpis(db, { villageId: null, gridId: null, townId: towns[k % towns.length] }, yearAgo, now, now, { live })],
    ['wall figures, county (stats+KPIs+tables)', (live) => () => Promise.all([
      getStats(db, { kind: 'county', id: null }, { keyGroupDetail: false, live }),
      workOrderKpis(db, { villageId: null, gridId: null }, yearAgo, now, now, { live }),
      rankings(db, yearAgo, now, now, { live }),
    ])],
  ]
  console.log(`  p95 in ms, from the roll-ups (${RUNS} runs) / recounted (${BASELINE_RUNS} runs):`)
  for (const [name, run] of cases) {
    const fast = await p95(run(false))
    const slow = await p95(run(true), BASELINE_RUNS)
    console.log(`  ${name.padEnd(42)} ${fast.toFixed(1).padStart(8)} / ${slow.toFixed(1).padStart(8)}   ${(slow / fast).toFixed(1)}× faster`)
  }

  // what a wall at county scope asks for when it opens, at once, over HTTP
  const leader = await onPg.api.login('leader')
  // (as screen/src/wall/stores asks them: a year of KPIs and league tables, the newest 300 orders)
  const paths = ['/api/auth/me', '/api/towns', '/api/town', '/api/towns/outlines', '/api/villages', '/api/grids', '/api/roads', '/api/facilities',
    '/api/stats?scope=county', '/api/work-orders/kpis?scope=county&days=365', '/api/work-orders?limit=300', '/api/work-orders/rankings?days=365&scope=county']
  const get = (p: string) => fetch(`${onPg.api.origin}${p}`, { headers: { Authorization: `Bearer ${leader}` } }).then(async (res) => {
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`)
    await res.arrayBuffer()
  })
  const each: [string, number][] = []
  for (const p of ['/api/stats?scope=county', '/api/work-orders/kpis?scope=county&days=365', '/api/work-orders/rankings?days=365&scope=county']) each.push([p, await p95(() => get(p))])
  const wall = await p95(() => Promise.all(paths.map(get)))
  console.log(`  over HTTP (the API process on PostgreSQL): ${each.map(([p, ms]) => `${p} ${ms.toFixed(1)}`).join(', ')}; a county wall's ${paths.length} first requests together ${wall.toFixed(1)}`)
  const ready = await wallReadySeconds(onPg.api.origin, 'display', 5)
  console.log(`  the county's wall in Chromium at 1920×1080 (software WebGL), from navigation, s (its map drawn / the first frame with every chart painted): ${ready.map((r) => `${r.map.toFixed(1)} / ${r.charts.toFixed(1)}`).join(', ')}`)
  await db.close()
  await onPg.api.stop()
}

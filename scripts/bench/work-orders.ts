// Work orders at county scale: the township generated 6 times over (1,248 grids) topped up to
// 500,000 orders, then the list, filter, feed and KPI queries the screens and phones make,
// with the indexes of migration 011 and again with them dropped, in one run.
import { buildCountyDb } from './county.ts'
import type { AuthUser } from '../../api/auth/roles.ts'
import { listWorkOrders } from '../../api/work-orders/inbox.ts'
import { workOrderKpis } from '../../api/work-orders/kpis.ts'
import { percentile } from './load.ts'

const ORDERS = Number(process.env.BENCH_ORDERS || 500_000)
const SCALE = 6
const RUNS = Number(process.env.BENCH_RUNS || 60)
const leader: AuthUser = { id: 0, username: 'bench', displayName: 'bench', role: 'leader', villageId: null, gridId: null, departmentId: null, scope: { level: 'county' } }

export async function benchWorkOrders(clusterUrl: string): Promise<void> {
  const t0 = performance.now()
  const { db } = await buildCountyDb(clusterUrl, 'county_bench', SCALE)
  // the rest of the county's orders: random grids, categories, states and times over a year
  await db.exec(`
    INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, was_overdue,
                             reporter, satisfaction, created_at, handled_at, closed_at)
    SELECT c.code, '县域压测工单', 'gridWorker', g.label_point, g.id, g.village_id, s.state, t.created + interval '2 days',
           t.created + interval '3 days', random() < 0.1, 'gw-' || g.id,
           CASE WHEN s.state = 'closed' THEN 1 + floor(random() * 5)::int END,
           t.created, CASE WHEN s.state IN ('handled', 'reviewed', 'replied', 'closed') THEN t.created + interval '1 day' END,
           CASE WHEN s.state = 'closed' THEN t.created + interval '3 days' END
      FROM generate_series(1, ${ORDERS} - (SELECT count(*) FROM work_orders)) i
      CROSS JOIN LATERAL (SELECT now() - random() * interval '365 days' AS created) t
      CROSS JOIN LATERAL (SELECT id, village_id, label_point FROM grids WHERE id = 1 + (i * 7919) % (SELECT count(*) FROM grids)) g
      CROSS JOIN LATERAL (SELECT (ARRAY['closed','closed','closed','closed','closed','closed','closed','closed','dispatched','handled','asked','replied'])[1 + i % 12] AS state) s
      CROSS JOIN LATERAL (SELECT code FROM work_order_categories ORDER BY code OFFSET i % 8 LIMIT 1) c;
    ANALYZE work_orders;`)
  const counts = (await db.query<{ orders: number; grids: number; villages: number }>(
    'SELECT (SELECT count(*)::int FROM work_orders) AS orders, (SELECT count(*)::int FROM grids) AS grids, (SELECT count(*)::int FROM villages) AS villages')).rows[0]
  console.log(`work orders: ${counts.orders.toLocaleString('en')} orders over ${counts.grids} grids and ${counts.villages} villages, built in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${RUNS} runs per query`)

  const now = new Date()
  const yearAgo = new Date(now.getTime() - 365 * 86_400_000)
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000)
  const queries: [string, (k: number) => Promise<unknown>][] = [
    ['newest 50 in a village', (k) => listWorkOrders(db, { villageId: 1 + (k % counts.villages), limit: 50 }, leader, now)],
    ['newest 50 in a grid', (k) => listWorkOrders(db, { gridId: 1 + ((k * 37) % counts.grids), limit: 50 }, leader, now)],
    ['open orders of a village', (k) => listWorkOrders(db, { villageId: 1 + (k % counts.villages), open: true, limit: 100 }, leader, now)],
    ['overdue in the county', () => listWorkOrders(db, { overdue: true, limit: 100 }, leader, now)],
    ['next page (keyset)', (k) => listWorkOrders(db, { before: counts.orders - k * 997, limit: 50 }, leader, now)],
    ['KPIs of a village, 30 days', (k) => workOrderKpis(db, { villageId: 1 + (k % counts.villages), gridId: null }, monthAgo, now, now)],
    ['KPIs of the county, a year', () => workOrderKpis(db, { villageId: null, gridId: null }, yearAgo, now, now)],
  ]
  const measure = async () => {
    const out = new Map<string, number>()
    for (const [name, run] of queries) {
      await run(0) // warm the plan and the buffers
      const times: number[] = []
      for (let k = 1; k <= RUNS; k++) {
        const s = performance.now()
        await run(k)
        times.push(performance.now() - s)
      }
      out.set(name, percentile(times.sort((a, b) => a - b), 95))
    }
    return out
  }
  const indexed = await measure()
  const indexes = (await db.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('work_orders', 'household_visits') AND indexname NOT LIKE '%pkey' AND indexname NOT LIKE '%client_key%'
       AND indexname NOT IN ('work_orders_external_idx')`)).rows
  for (const { name } of indexes) await db.exec(`DROP INDEX "${name}"`)
  await db.exec('ANALYZE work_orders; ANALYZE household_visits')
  const bare = await measure()
  console.log(`  p95 in ms, with the indexes / without (${indexes.map((i) => i.name).join(', ')}):`)
  for (const [name] of queries) {
    const a = indexed.get(name)!
    const b = bare.get(name)!
    console.log(`  ${name.padEnd(30)} ${a.toFixed(1).padStart(8)} / ${b.toFixed(1).padStart(8)}   ${(b / a).toFixed(1)}× faster`)
  }
  await db.close()
}

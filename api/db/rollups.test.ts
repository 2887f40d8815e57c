// The roll-ups (migrations 029, 030) against a recount from the base tables. First the grid
// roll-ups behind /api/stats, after a stream of
// writes of every kind that moves a figure: people born, registered, deregistered, moved
// between grids, tagged and untagged; households added and moved; cameras going offline;
// disputes reported, closed and withdrawn; visits and follow-up periods moving the ledgers;
// and bulk statements touching many grids at once. Then the league tables, over windows that
// start and end inside a day, after orders reported, closed and rated, found overdue, moved to
// another grid, withdrawn, and visits made. One database for both: a clone costs seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './types.ts'
import { openFixtureDb } from '../test/test-db.ts'
import { getStats } from '../stats/repository.ts'
import { shanghaiMonthStart, workOrderKpis, type KpiScope } from '../work-orders/kpis.ts'
import { rankings } from '../work-orders/rankings.ts'
import type { Scope } from '../access/screen-scope.ts'

let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

// a small deterministic generator (mulberry32), so a failure can be replayed
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ids = async (sql: string) => (await db.query<{ id: number }>(sql)).rows.map((r) => r.id)

async function scopes(): Promise<Scope[]> {
  const towns = await ids('SELECT id FROM towns ORDER BY id')
  const villages = await ids('SELECT id FROM villages ORDER BY id')
  const grids = await ids('SELECT id FROM grids ORDER BY id')
  return [
    { kind: 'county', id: null },
    ...towns.map((id) => ({ kind: 'town' as const, id })),
    ...villages.filter((_, i) => i % 4 === 0).map((id) => ({ kind: 'village' as const, id })),
    ...grids.filter((_, i) => i % 23 === 0).map((id) => ({ kind: 'grid' as const, id })),
  ]
}

async function expectRollupsEqualRecount(label: string) {
  for (const scope of await scopes()) {
    const fromRollups = await getStats(db, scope, { keyGroupDetail: true })
    const recounted = await getStats(db, scope, { keyGroupDetail: true, live: true })
    expect(fromRollups, `${label}: ${scope.kind}:${scope.id}`).toEqual(recounted)
  }
}

describe('grid roll-ups', () => {
  it('equal a recount on the loaded fixtures', async () => {
    const [n] = (await db.query<{ n: number }>('SELECT count(*) AS n FROM grid_rollup')).rows
    expect(n.n).toBeGreaterThan(200)
    await expectRollupsEqualRecount('fixtures')
  })

  it('equal a recount after a stream of writes that move every figure', async () => {
    const rnd = prng(18)
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]
    const grids = await ids('SELECT id FROM grids ORDER BY id')
    const tagged = (await db.query<{ kind: string; tag: string }>('SELECT DISTINCT kind, tag FROM resident_tags ORDER BY kind, tag')).rows
    let nextHousehold = (await ids('SELECT max(id) + 1 AS id FROM households'))[0]
    let nextResident = (await ids('SELECT max(id) + 1 AS id FROM residents'))[0]
    let nextDispute = (await ids('SELECT max(id) + 1 AS id FROM disputes'))[0]
    const someResident = async () => pick(await ids(`SELECT id FROM residents WHERE deregistered IS NULL AND id % 53 = ${Math.floor(rnd() * 53)}`))

    for (let step = 0; step < 70; step++) {
      const g = pick(grids)
      switch (step === 69 ? 12 : step % 14) {
        case 0: { // a new household of three, one of them tagged
          const h = nextHousehold++
          await db.query(`INSERT INTO households (id, grid_id, address, house_number, geom)
            SELECT $1, $2, '测试路', $3, ST_PointOnSurface(geom) FROM grids WHERE id = $2`, [h, g, String(h)])
          for (let k = 0; k < 3; k++) {
            const r = nextResident++
            await db.query(`INSERT INTO residents (id, household_id, name, gender, birth_date, id_number, relation, party_member)
              VALUES ($1, $2, '测试', $3, $4::date, $5, '户主', $6)`,
              [r, h, k % 2 ? '男' : '女', `${1930 + Math.floor(rnd() * 95)}-0${1 + (k % 9)}-1${k}`, `T${r}`, rnd() < 0.2])
          }
          const t = pick(tagged)
          await db.query('INSERT INTO resident_tags (resident_id, kind, tag) VALUES ($1, $2, $3)', [nextResident - 1, t.kind, t.tag])
          break
        }
        case 1: // died or moved away: leaves every count, tags included
          await db.query(`UPDATE residents SET deregistered = $2, deregistered_on = current_date WHERE id = $1`, [await someResident(), rnd() < 0.5 ? 'death' : 'moveOut'])
          break
        case 2: // moved to a household in another grid
          await db.query(`UPDATE residents SET household_id = (SELECT id FROM households WHERE grid_id = $2 ORDER BY id LIMIT 1) WHERE id = $1`, [await someResident(), g])
          break
        case 3: // joined the party, and a correction of gender and birth date
          await db.query(`UPDATE residents SET party_member = NOT party_member, gender = CASE gender WHEN '男' THEN '女' ELSE '男' END, birth_date = birth_date - 7300 WHERE id = $1`, [await someResident()])
          break
        case 4: { // a tag added, another removed
          const t = pick(tagged)
          await db.query('INSERT INTO resident_tags (resident_id, kind, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [await someResident(), t.kind, t.tag])
          await db.query('DELETE FROM resident_tags WHERE (resident_id, kind, tag) IN (SELECT resident_id, kind, tag FROM resident_tags ORDER BY resident_id DESC LIMIT 1 OFFSET $1)', [Math.floor(rnd() * 500)])
          break
        }
        case 5: // cameras going offline in one grid, one camera re-mounted in another
          await db.query('UPDATE cameras SET online = NOT online WHERE grid_id = $1', [g])
          await db.query('UPDATE cameras SET grid_id = $1, kind = $2 WHERE id = (SELECT min(id) FROM cameras WHERE grid_id <> $1)', [g, pick(['high', 'low', 'face'])])
          break
        case 6: { // a dispute reported, another closed (each outcome in turn), one entered by mistake removed
          const d = nextDispute++
          await db.query(`INSERT INTO disputes (id, grid_id, reported_at, stage_since, type, geom)
            SELECT $1, $2, now() - make_interval(days => $3), now(), '邻里纠纷', ST_PointOnSurface(geom) FROM grids WHERE id = $2`, [d, g, Math.floor(rnd() * 400)])
          const outcome = pick(['resolved', 'unresolved', 'referred'])
          await db.query(`UPDATE disputes SET stage = 'closed', outcome = $1, resolved_at = now(), referred_department_id = CASE WHEN $1 = 'referred' THEN 9 END
            WHERE id = (SELECT min(id) FROM disputes WHERE stage <> 'closed')`, [outcome])
          await db.query(`UPDATE disputes SET stage = 'consulting' WHERE id = (SELECT max(id) FROM disputes WHERE stage = 'mediating')`)
          await db.query('DELETE FROM disputes d WHERE id = (SELECT max(id) - 1 FROM disputes) AND NOT EXISTS (SELECT 1 FROM dispute_history h WHERE h.dispute_id = d.id)')
          break
        }
        case 7: // a household moved to another grid (a boundary redrawn), its people with it
          await db.query('UPDATE households SET grid_id = $1 WHERE id = (SELECT min(id) FROM households WHERE grid_id <> $1 AND id > $2)', [g, Math.floor(rnd() * 10_000)])
          break
        case 8: // one statement over many grids: a department's list of party members
          await db.query('UPDATE residents SET party_member = NOT party_member WHERE id % 97 = $1', [Math.floor(rnd() * 97)])
          break
        case 9: // a bulk rewrite of data items only: moves no figure (and counts nothing again)
          await db.query(`UPDATE residents SET items = items || '{"x": 1}'::jsonb WHERE id % 89 = $1`, [Math.floor(rnd() * 89)])
          break
        case 10: { // a person entered by mistake removed for good (tags first)
          const r = nextResident - 1 - Math.floor(rnd() * 3)
          await db.query('DELETE FROM resident_tags WHERE resident_id = $1', [r])
          await db.query('DELETE FROM residents WHERE id = $1', [r])
          break
        }
        case 11: // in a transaction, several writes to one grid together
          await db.transaction(async (tx) => {
            await tx.query('UPDATE residents SET deregistered = NULL, deregistered_on = NULL WHERE deregistered IS NOT NULL AND id % 2 = 0')
            await tx.query(`UPDATE disputes SET type = '土地纠纷' WHERE grid_id = $1`, [g])
          })
          break
        case 12: { // a grid worker's visit: about one ledger person, or the whole household
          const [r] = (await db.query<{ id: number; household_id: number; grid_id: number }>(
            `SELECT r.id, r.household_id, h.grid_id FROM resident_tags t JOIN residents r ON r.id = t.resident_id JOIN households h ON h.id = r.household_id
              WHERE r.deregistered IS NULL ORDER BY r.id OFFSET $1 LIMIT 1`, [Math.floor(rnd() * 3000)])).rows
          await db.query(`INSERT INTO household_visits (household_id, grid_id, visitor, visited_at, resident_ids) VALUES ($1, $2, 'gw', now() - make_interval(days => $3), $4)`,
            [r.household_id, r.grid_id, Math.floor(rnd() * 60), rnd() < 0.5 ? [r.id] : null])
          await db.query('DELETE FROM household_visits WHERE id = (SELECT min(id) + $1 FROM household_visits)', [Math.floor(rnd() * 1000)])
          break
        }
        case 13: // the town changes a follow-up period (every grid's ledger moves); once, early:
          // it counts every grid again, which would hide a trigger missed before it
          if (step > 20) break
          await db.query(`UPDATE ledger_periods SET period_days = 1 + (period_days + 5) % 120 WHERE tag = (SELECT tag FROM ledger_periods ORDER BY tag OFFSET $1 LIMIT 1)`, [Math.floor(rnd() * 10)])
          break
      }
    }
    // writers on one grid at the same moment (on PostgreSQL, several connections of the pool)
    const same = await ids(`SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
      WHERE h.grid_id = ${grids[0]} AND r.deregistered IS NULL ORDER BY r.id LIMIT 24`)
    await Promise.all(same.map((id, i) => db.query(i % 2 ? 'UPDATE residents SET party_member = NOT party_member WHERE id = $1' : `UPDATE residents SET deregistered = 'moveOut' WHERE id = $1`, [id])))
    await expectRollupsEqualRecount('after 70 writes and 24 at once')
  })

  it('count age bands as of today: rows of an earlier day are counted again when read', async () => {
    await db.query(`UPDATE grid_rollup SET as_of = as_of - 1, age_0_17 = 0, age_80 = age_80 + 5`)
    await expectRollupsEqualRecount('the day after')
    const [stale] = (await db.query<{ n: number }>(`SELECT count(*) AS n FROM grid_rollup WHERE as_of < (now() AT TIME ZONE 'Asia/Shanghai')::date`)).rows
    expect(stale.n).toBe(0)
  })
})

const DAY = 86_400_000

async function expectEqual(label: string) {
  const now = new Date()
  // the route's windows (1, 30, 366 days up to now), and one that starts and ends mid-day in the past
  const windows: [Date, Date][] = [1, 30, 366].map((d) => [new Date(now.getTime() - d * DAY), now])
  windows.push([new Date(now.getTime() - 10.3 * DAY), new Date(now.getTime() - 2.7 * DAY)])
  // whole Beijing months only: from the first of the month three months back to this month's first
  const thisMonth = shanghaiMonthStart(now)
  let from = thisMonth
  for (let k = 0; k < 3; k++) from = shanghaiMonthStart(new Date(from.getTime() - 1))
  windows.push([from, thisMonth])
  for (const [from, to] of windows) {
    for (const townId of [null, 1]) {
      const fromRollups = await rankings(db, from, to, now, { townId })
      const recounted = await rankings(db, from, to, now, { live: true, townId })
      expect(fromRollups, `${label}: town ${townId}, ${from.toISOString()} – ${to.toISOString()}`).toEqual(recounted)
    }
    // the KPIs (031): counts equal, averages equal but for the order of a float sum
    const [{ v, g }] = (await db.query<{ v: number; g: number }>('SELECT village_id AS v, grid_id AS g FROM work_orders ORDER BY id DESC LIMIT 1')).rows
    const kpiScopes: KpiScope[] = [{ villageId: null, gridId: null }, { villageId: null, gridId: null, townId: 1 }, { villageId: v, gridId: null }, { villageId: null, gridId: g }]
    for (const scope of kpiScopes) {
      const fromRollups = await workOrderKpis(db, scope, from, to, now)
      const recounted = await workOrderKpis(db, scope, from, to, now, { live: true })
      const where = `${label}: KPIs of ${JSON.stringify(scope)}, ${from.toISOString()} – ${to.toISOString()}`
      for (const key of Object.keys(recounted) as (keyof typeof recounted)[]) {
        const [a, b] = [fromRollups[key], recounted[key]]
        if (typeof a === 'number' && typeof b === 'number' && !Number.isInteger(b)) expect(a, `${where}: ${key}`).toBeCloseTo(b, 9)
        else expect(a, `${where}: ${key}`).toEqual(b)
      }
    }
  }
}

describe('league tables and KPIs from roll-ups (030, 031; visits from 029)', () => {
  it('equal a recount on the fixtures, for whole and partial days', async () => {
    const [n] = (await db.query<{ n: number }>('SELECT count(*) AS n FROM order_rollup_days')).rows
    expect(n.n).toBeGreaterThan(1000)
    await expectEqual('fixtures')
  })

  it('equal a recount after orders are reported, closed, rated, moved and withdrawn, and visits made', async () => {
    let seed = 30
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const grids = (await db.query<{ id: number; village_id: number }>('SELECT id, village_id FROM grids ORDER BY id')).rows
    const added: number[] = []
    for (let step = 0; step < 48; step++) {
      const g = grids[Math.floor(rnd() * grids.length)]
      switch (step === 47 ? 0 : step % 6) {
        case 0: { // reported, some of them today, some at the window's edges (not 矛盾纠纷: such an
          // order opens a dispute, which keeps it from being deleted below)
          const hoursAgo = [0.2, 24 * 30 + 0.5, 24 * 30 - 0.5, 24 * 10.3, rnd() * 24 * 40][step % 5]
          const r = await db.query<{ id: number }>(
            `INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, reporter, created_at)
             SELECT (SELECT code FROM work_order_categories WHERE code <> 'dispute' ORDER BY code LIMIT 1), '测试', $3, label_point, id, $2, 'asked', now(), now() + interval '3 days', 'test',
                    now() - make_interval(secs => $4::float8 * 3600)
               FROM grids WHERE id = $1 RETURNING id`, [g.id, g.village_id, rnd() < 0.5 ? 'gridWorker' : 'hotline', hoursAgo])
          // (the last step reports one, which no later write recounts)
          added.push(r.rows[0].id)
          break
        }
        case 1: // closed and rated
          await db.query(`UPDATE work_orders SET state = 'closed', satisfaction = $2, closed_at = now(), handled_at = now() - make_interval(secs => $3::float8) WHERE id = $1`,
            [added[Math.floor(rnd() * added.length)], 1 + Math.floor(rnd() * 5), rnd() * 3600])
          await db.query(`UPDATE work_orders SET state = 'closed', satisfaction = 2 WHERE id = (SELECT min(id) FROM work_orders WHERE state <> 'closed' AND created_at > now() - interval '30 days')`)
          break
        case 2: // found overdue; and a state change that moves no figure
          await db.query(`UPDATE work_orders SET was_overdue = NOT was_overdue WHERE id % 211 = $1 AND created_at > now() - interval '40 days'`, [Math.floor(rnd() * 211)])
          await db.query(`UPDATE work_orders SET state = 'dispatched' WHERE state = 'asked' AND id = $1`, [added[added.length - 1]])
          break
        case 3: // moved to another grid and village (the report was placed wrongly)
          await db.query('UPDATE work_orders SET grid_id = $2, village_id = $3 WHERE id = $1', [added[Math.floor(rnd() * added.length)], g.id, g.village_id])
          break
        case 4: { // withdrawn: an order entered twice is deleted
          const id = added.splice(Math.floor(rnd() * added.length), 1)[0]
          if (id) await db.query('DELETE FROM work_orders WHERE id = $1', [id])
          break
        }
        case 5: { // a visit last month and one this month
          const [h] = (await db.query<{ id: number; grid_id: number }>('SELECT id, grid_id FROM households ORDER BY id OFFSET $1 LIMIT 1', [Math.floor(rnd() * 10_000)])).rows
          for (const daysAgo of [35, 1]) {
            await db.query(`INSERT INTO household_visits (household_id, grid_id, visitor, visited_at) VALUES ($1, $2, 'gw', now() - make_interval(days => $3))`, [h.id, h.grid_id, daysAgo])
          }
          break
        }
      }
    }
    // a grid worker's report of two months ago moved to another grid, another's source corrected:
    // months the year's window reads whole from the grids' months (032)
    const old = await db.query(`UPDATE work_orders SET grid_id = $1, village_id = $2 WHERE id = (SELECT min(id) FROM work_orders WHERE source = 'gridWorker'
                                  AND grid_id <> $1 AND created_at BETWEEN now() - interval '75 days' AND now() - interval '45 days') RETURNING id`,
    [grids[0].id, grids[0].village_id])
    expect(old.rows).toHaveLength(1)
    await db.query(`UPDATE work_orders SET source = 'hotline' WHERE id = (SELECT max(id) FROM work_orders WHERE source = 'gridWorker'
                     AND created_at BETWEEN now() - interval '100 days' AND now() - interval '70 days')`)
    // last, so no later write counts its cell again: an order handled again, only its handling time moving
    const moved = await db.query(`UPDATE work_orders SET handled_at = handled_at + interval '90 minutes'
                                   WHERE id = (SELECT max(id) FROM work_orders WHERE handled_at IS NOT NULL) RETURNING id`)
    expect(moved.rows).toHaveLength(1)
    await expectEqual('after 48 writes')
  })
})

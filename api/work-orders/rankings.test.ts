// The league tables from the roll-ups (migrations 029, 030) against a recount from work_orders
// and household_visits, over windows that start and end inside a day, after a stream of writes:
// orders reported, closed and rated, found overdue, moved to another grid, withdrawn; visits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/types.ts'
import { openFixtureDb } from '../test/test-db.ts'
import { rankings } from './rankings.ts'

let db: Db
beforeAll(async () => {
  db = await openFixtureDb()
})
afterAll(async () => db?.close())

const DAY = 86_400_000

async function expectEqual(label: string) {
  const now = new Date()
  // the route's windows (1, 30, 366 days up to now), and one that starts and ends mid-day in the past
  const windows: [Date, Date][] = [1, 30, 366].map((d) => [new Date(now.getTime() - d * DAY), now])
  windows.push([new Date(now.getTime() - 10.3 * DAY), new Date(now.getTime() - 2.7 * DAY)])
  for (const [from, to] of windows) {
    for (const townId of [null, 1]) {
      const fromRollups = await rankings(db, from, to, now, { townId })
      const recounted = await rankings(db, from, to, now, { live: true, townId })
      expect(fromRollups, `${label}: town ${townId}, ${from.toISOString()} – ${to.toISOString()}`).toEqual(recounted)
    }
  }
}

describe('league tables from roll-ups', () => {
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
        case 0: { // reported, some of them today, some at the window's edges
          const hoursAgo = [0.2, 24 * 30 + 0.5, 24 * 30 - 0.5, 24 * 10.3, rnd() * 24 * 40][step % 5]
          const r = await db.query<{ id: number }>(
            `INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, reporter, created_at)
             SELECT (SELECT code FROM work_order_categories ORDER BY code LIMIT 1), '测试', $3, label_point, id, $2, 'asked', now(), now() + interval '3 days', 'test',
                    now() - make_interval(secs => $4::float8 * 3600)
               FROM grids WHERE id = $1 RETURNING id`, [g.id, g.village_id, rnd() < 0.5 ? 'gridWorker' : 'hotline', hoursAgo])
          // (the last step reports one, which no later write recounts)
          added.push(r.rows[0].id)
          break
        }
        case 1: // closed and rated
          await db.query(`UPDATE work_orders SET state = 'closed', satisfaction = $2, closed_at = now() WHERE id = $1`, [added[Math.floor(rnd() * added.length)], 1 + Math.floor(rnd() * 5)])
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
    await expectEqual('after 48 writes')
  })
})

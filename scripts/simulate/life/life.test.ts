// The demo township's life (scripts/simulate/life-cli.ts): one step, through a real server, as
// the demo accounts, makes and moves what it says it did, and the figures follow the same paths
// as real work. No timing: the step is called, not waited for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../../../api/test/app.ts'
import { Rng } from '../../../geo/random.ts'
import { lifeApi } from './client.ts'
import { LIFE_KINDS, LIFE_PER_HOUR, LifePace, noCounts } from './rates.ts'
import { lifeStep, lifeWorld } from './step.ts'
import { answerLifeAsk } from '../../../api/setup/life-tokens.ts'
import { LIFE_CLI, startSimulatorProcess } from '../../../api/simulator-process.ts'

let t: TestApp
let url: string
beforeAll(async () => {
  t = await openTestApp()
  // recorded by npm start's first start of the demo (the test clone is loaded without it)
  await t.db.query(`INSERT INTO settings (key, value) VALUES ('deployment', 'demo') ON CONFLICT (key) DO UPDATE SET value = 'demo'`)
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
})
afterAll(async () => t?.close())

const one = async <T>(sql: string, params: unknown[] = []) => (await t.db.query<T>(sql, params)).rows[0]

describe('the pace', () => {
  it('adds up to the documented rate per hour, whatever the tick', () => {
    for (const tickMinutes of [1, 0.5, 5]) {
      const pace = new LifePace()
      const sum = noCounts()
      for (let i = 0; i < Math.round(60 / tickMinutes); i++) {
        const c = pace.next(tickMinutes)
        for (const k of LIFE_KINDS) sum[k] += c[k]
      }
      expect(sum).toEqual(LIFE_PER_HOUR)
    }
  })
})

describe('one step of the township\'s life', () => {
  it('reports, visits and moves each order one step, as the demo accounts, through the API', async () => {
    // the tokens come as npm start gives them (answerLifeAsk), never for the admin
    expect(await answerLifeAsk(t.db, { token: 'admin' })).toBeNull()
    expect(await answerLifeAsk(t.db, { token: 'display' })).toBeNull()
    // and none on a database started empty for a real township (settings deployment=production)
    await t.db.query(`UPDATE settings SET value = 'production' WHERE key = 'deployment'`)
    try {
      expect(await answerLifeAsk(t.db, { token: 'dispatcher' })).toBeNull()
    } finally {
      await t.db.query(`UPDATE settings SET value = 'demo' WHERE key = 'deployment'`)
    }
    expect(await answerLifeAsk(t.db, { token: 'dispatcher' })).toEqual(expect.any(String))
    const api = lifeApi(url, (username) => answerLifeAsk(t.db, { token: username }))
    const world = await lifeWorld(api)
    expect(world.grids.length).toBeGreaterThan(200)
    const counts = { ...noCounts(), residentReports: 1, gridReports: 2, disputes: 1, visits: 3, dispatches: 1, handles: 1, reviews: 1, replies: 1, ratings: 1 }
    const before = {
      orders: (await one<{ n: number }>('SELECT count(*)::int AS n FROM work_orders')).n,
      visits: (await one<{ n: number }>('SELECT count(*)::int AS n FROM household_visits')).n,
    }
    // orders waiting at every step of the loop, so each step has one to move
    const home = await one<{ grid: number; village: number; lon: number; lat: number }>(
      'SELECT h.grid_id AS grid, g.village_id AS village, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat FROM households h JOIN grids g ON g.id = h.grid_id WHERE h.geom IS NOT NULL ORDER BY h.id LIMIT 1')
    const steps = [
      ['dispatcher', { action: 'dispatch', villageId: home.village }], [`cadre-${home.village}`, { action: 'handle', note: '已处理' }],
      ['dispatcher', { action: 'review', approve: true }], ['dispatcher', { action: 'reply', note: '已办结' }],
    ] as const
    for (let n = 0; n <= steps.length; n++) {
      const made = await t.as(`gw-${home.grid}`, { method: 'POST', url: '/api/work-orders', payload: { category: 'road', description: '路灯不亮', lon: home.lon, lat: home.lat } })
      expect(made.statusCode).toBe(201)
      for (const [who, body] of steps.slice(0, n)) {
        expect((await t.as(who, { method: 'POST', url: `/api/work-orders/${made.json().id}/actions`, payload: body })).statusCode).toBe(200)
      }
    }
    before.orders += steps.length + 1

    const done = await lifeStep(api, world, counts, new Rng(7))
    expect(done.failures).toEqual([])

    // new orders: a resident's (no account), the grid workers' and a 矛盾纠纷 — in their grids' villages, waiting to be dispatched
    expect(done.residentReports).toHaveLength(1)
    expect(done.gridReports).toHaveLength(2)
    expect(done.disputes).toHaveLength(1)
    const resident = await one<{ source: string; state: string }>('SELECT source, state FROM work_orders WHERE tracking_code = $1', [done.residentReports[0]])
    expect(resident).toEqual({ source: 'resident', state: 'asked' })
    for (const id of [...done.gridReports, ...done.disputes]) {
      const o = await one<{ source: string; state: string; reporter: string; grid_id: number; category: string }>('SELECT source, state, reporter, grid_id, category FROM work_orders WHERE id = $1', [id])
      expect(o).toMatchObject({ source: 'gridWorker', state: 'asked', reporter: expect.stringMatching(/^gw-\d+$/) })
      // filed by a grid worker at a household of her own grid
      expect(o.reporter).toBe(`gw-${o.grid_id}`)
    }
    expect((await one<{ category: string }>('SELECT category FROM work_orders WHERE id = $1', [done.disputes[0]])).category).toBe('dispute')
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM work_orders')).n).toBe(before.orders + 4)

    // visits by the grid workers of the households' grids, now
    expect(done.visits).toHaveLength(3)
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM household_visits')).n).toBe(before.visits + 3)
    const visits = (await t.db.query<{ visitor: string; grid_id: number; recent: boolean }>(
      `SELECT visitor, grid_id, visited_at > now() - interval '1 hour' AS recent FROM household_visits WHERE id = ANY($1::int[])`, [done.visits])).rows
    expect(visits.every((v) => v.visitor === `gw-${v.grid_id}` && v.recent)).toBe(true)

    // each loop step moved one order, by the account whose step it is, each order once
    for (const [ids, action, state] of [
      [done.dispatched, 'dispatch', 'dispatched'], [done.handled, 'handle', 'handled'], [done.reviewed, 'review', 'reviewed'], [done.replied, 'reply', 'replied'],
    ] as const) {
      expect(ids, action).toHaveLength(1)
      const o = await one<{ state: string; actor: string; role: string }>(
        `SELECT o.state, h.actor, h.actor_role AS role FROM work_orders o JOIN work_order_history h ON h.order_id = o.id
          WHERE o.id = $1 ORDER BY h.id DESC LIMIT 1`, [ids[0]])
      expect(o.state, action).toBe(state)
      expect(o.actor, action).toMatch(action === 'handle' ? /^(cadre|dept)-\d+$/ : /^dispatcher$/)
    }
    expect(done.rated.length + done.ratedByResidents.length).toBe(1)
    if (done.rated.length) expect((await one<{ state: string }>('SELECT state FROM work_orders WHERE id = $1', [done.rated[0]])).state).toBe('closed')
    const all = [...done.dispatched, ...done.handled, ...done.reviewed, ...done.replied, ...done.rated]
    expect(new Set(all).size).toBe(all.length)

    // the roll-ups the wall reads followed these writes by their own triggers: they equal a recount
    const { getStats } = await import('../../../api/stats/repository.ts')
    const scope = { kind: 'town' as const, id: 1 }
    expect(await getStats(t.db, scope, { keyGroupDetail: true })).toEqual(await getStats(t.db, scope, { keyGroupDetail: true, live: true }))
  }, 120_000)

  it('answers a resident\'s tracking code once her reply has come: she rates it on the public page', async () => {
    const api = lifeApi(url, (username) => answerLifeAsk(t.db, { token: username }))
    const world = await lifeWorld(api)
    const made = await lifeStep(api, world, { ...noCounts(), residentReports: 1 }, new Rng(11))
    const code = made.residentReports[0]
    // the center and the village take it to 已回复 through the API
    const id = (await one<{ id: number }>('SELECT id FROM work_orders WHERE tracking_code = $1', [code])).id
    const village = (await one<{ village_id: number }>('SELECT village_id FROM work_orders WHERE id = $1', [id])).village_id
    for (const [who, body] of [
      ['dispatcher', { action: 'dispatch', villageId: village }], [`cadre-${village}`, { action: 'handle', note: '已处理' }],
      ['dispatcher', { action: 'review', approve: true }], ['dispatcher', { action: 'reply', note: '已办结' }],
    ] as const) {
      expect((await t.as(who, { method: 'POST', url: `/api/work-orders/${id}/actions`, payload: body })).statusCode).toBe(200)
    }
    const rated = await lifeStep(api, world, { ...noCounts(), ratings: 1 }, new Rng(12))
    expect(rated.failures).toEqual([])
    expect(rated.ratedByResidents).toEqual([code])
    expect(await one('SELECT state, satisfaction IS NOT NULL AS rated FROM work_orders WHERE id = $1', [id])).toEqual({ state: 'closed', rated: true })
    expect(world.trackingCodes).not.toContain(code)
  }, 120_000)
})

describe('as npm start runs it', () => {
  it('is a child process that asks the API for its accounts\' tokens over IPC and works through the API', async () => {
    const visits = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM household_visits WHERE visited_at > now() - interval '10 minutes'`)).n
    const before = await visits()
    const asked: unknown[] = []
    const lines: string[] = []
    const life = startSimulatorProcess({
      script: LIFE_CLI, args: ['--target', url, '--tick', '1', '--speed', '60', '--seed', '3'], log: (l) => lines.push(l),
      answer: (ask) => (asked.push(ask), answerLifeAsk(t.db, ask)),
    })!
    try {
      // at 60 times the pace a one-second tick is a minute: a visit each, whenever the machine gets there
      const end = Date.now() + 110_000
      while ((await visits()) === before && Date.now() < end) await new Promise((r) => setTimeout(r, 500))
      expect(await visits(), lines.join('\n')).toBeGreaterThan(before)
      expect(asked).toContainEqual({ token: 'dispatcher' })
      expect(lines[0]).toMatch(/^示范镇的日常 \(每小时\): residentReports 180, gridReports 480/)
    } finally {
      await life.stop()
    }
  }, 150_000)
})

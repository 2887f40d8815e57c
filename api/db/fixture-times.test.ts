// The demo lives in today: a first start moves the fixtures' times to its day (api/db/fixture-times.ts).
// One database loaded as `npm start` loads it on a given day, compared with the fixtures as
// generated (the tests' own clone), column by column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from './types.ts'
import { openEmptyDb, openFixtureDb } from '../test/test-db.ts'
import { FIXTURES_DIR, moveRestoredFixtures, readManifest } from './fixtures.ts'
import { dayFor, FIXTURE_TIME_COLUMNS, generatedDay, kindOf, recordedDay, timeColumns } from './fixture-times.ts'
import { prepareDatabase } from '../setup/startup.ts'
import { idNumberProblem } from '../../geo/id-number.ts'
import { getStats } from '../stats/repository.ts'

const manifest = readManifest(FIXTURES_DIR)
const TABLES = manifest.tables.map((t) => t.name)
// a day that crosses a year from the fixtures' reference month, so year keys move too
const TODAY = '2027-03-15'
const GENERATED = generatedDay(manifest.referenceMonth)
const DAYS = (Date.parse(`${dayFor(TODAY).lastDay}T00:00:00Z`) - Date.parse(`${GENERATED.lastDay}T00:00:00Z`)) / 86_400_000
const BEIJING = `AT TIME ZONE 'Asia/Shanghai'`

let moved: Db
let generated: Db
beforeAll(async () => {
  ;[moved, generated] = await Promise.all([openEmptyDb(), openFixtureDb()])
  await prepareDatabase(moved, { fixturesDir: FIXTURES_DIR, demoPassword: 'demo-password', say: () => {}, today: TODAY })
})
afterAll(async () => Promise.all([moved?.close(), generated?.close()]))

const one = async <T>(db: Db, sql: string) => (await db.query<T>(sql)).rows[0]
const rows = async <T>(db: Db, sql: string) => (await db.query<T>(sql)).rows

describe('the fixture tables\' time columns', () => {
  it('are each classified (event, birth, month, year or keep): a new one fails here until it is', async () => {
    const found = await timeColumns(moved, TABLES)
    expect(found.length).toBeGreaterThan(10)
    const unclassified = found.filter((c) => FIXTURE_TIME_COLUMNS[c.table]?.[c.column] === undefined).map((c) => `${c.table}.${c.column} (${c.type})`)
    expect(unclassified, 'name these in FIXTURE_TIME_COLUMNS (api/db/fixture-times.ts)').toEqual([])
    // and nothing is classified that a fixture table does not have
    const have = new Set(found.map((c) => `${c.table}.${c.column}`))
    const stale = Object.entries(FIXTURE_TIME_COLUMNS).filter(([t]) => TABLES.includes(t)).flatMap(([t, cols]) => Object.keys(cols).map((c) => `${t}.${c}`)).filter((k) => !have.has(k))
    expect(stale).toEqual([])
  })
})

describe(`a first start on ${TODAY}`, () => {
  it('ends the fixtures yesterday: the last order steps are on the day before, and every event moved by the same whole days', async () => {
    expect(DAYS).toBe(134)
    const last = await one<{ day: string }>(moved, `SELECT to_char(max(at) ${BEIJING}, 'YYYY-MM-DD') AS day FROM work_order_history`)
    expect(last.day).toBe('2027-03-14')
    // nothing happened today or later (deadlines are ahead by nature)
    const after = await one<{ n: number }>(moved, `SELECT count(*)::int AS n FROM work_order_history WHERE at >= '${TODAY}T00:00:00+08:00'`)
    expect(after.n).toBe(0)
    const events = (await timeColumns(moved, TABLES)).filter((c) => kindOf(c.table, c.column) === 'event')
    expect(events.map((c) => `${c.table}.${c.column}`)).toEqual(expect.arrayContaining(['work_orders.created_at', 'household_visits.visited_at', 'disputes.reported_at', 'notices.published_at']))
    for (const c of events) {
      const key = (await one<{ k: string }>(moved, `SELECT a.attname AS k FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = '"${c.table}"'::regclass AND i.indisprimary`))?.k
      expect(key, `${c.table} has a primary key`).toBeDefined()
      // day numbers (dates) or seconds (timestamps), row by row
      const value = c.type === 'date' ? `("${c.column}" - DATE '2000-01-01')` : `extract(epoch FROM "${c.column}")::bigint`
      const sql = `SELECT "${key}"::text AS id, ${value}::bigint AS v FROM "${c.table}" WHERE "${c.column}" IS NOT NULL ORDER BY "${key}"`
      const [a, b] = await Promise.all([rows<{ id: string; v: string }>(generated, sql), rows<{ id: string; v: string }>(moved, sql)])
      expect(b.map((r) => r.id), `${c.table}.${c.column}: the same rows`).toEqual(a.map((r) => r.id))
      const step = c.type === 'date' ? DAYS : DAYS * 86_400
      const off = b.filter((r, i) => Number(r.v) - Number(a[i].v) !== step)
      expect(off.length, `${c.table}.${c.column}: rows not moved by ${DAYS} days`).toBe(0)
    }
  })

  it('moves month keys by whole months, ending this month, and star reviews to this year and last', async () => {
    for (const table of ['party_activities', 'welfare_funds'].filter((t) => TABLES.includes(t))) {
      const sql = `SELECT to_char(month, 'YYYY-MM-DD') AS m, count(*)::int AS n FROM ${table} GROUP BY month ORDER BY month`
      const [a, b] = await Promise.all([rows<{ m: string; n: number }>(generated, sql), rows<{ m: string; n: number }>(moved, sql)])
      expect(b.every((r) => r.m.endsWith('-01')), table).toBe(true)
      expect(b.at(-1)!.m, table).toBe('2027-03-01')
      expect(b.map((r) => r.n), table).toEqual(a.map((r) => r.n))
      expect(a.at(-1)!.m).toBe(`${manifest.referenceMonth}-01`)
    }
    const years = await rows<{ year: number }>(moved, 'SELECT DISTINCT year FROM star_reviews ORDER BY year')
    expect(years.map((y) => y.year)).toEqual([2026, 2027])
    expect(await recordedDay(moved)).toEqual({ lastDay: '2027-03-14', month: '2027-03' })
  })

  it('keeps every age as generated (to the day, on the day after the fixtures end), with ID numbers holding the new birth dates', async () => {
    const age = (day: string) => `SELECT id, (DATE '${day}' - birth_date) AS days FROM residents ORDER BY id`
    const [a, b] = await Promise.all([rows<{ id: number; days: number }>(generated, age('2026-11-01')), rows<{ id: number; days: number }>(moved, age(TODAY))])
    expect(a.length).toBe(manifest.tables.find((t) => t.name === 'residents')!.rows)
    expect(b).toEqual(a)
    const people = await rows<{ id_number: string; born: string; gender: '男' | '女' }>(moved, `SELECT id_number, to_char(birth_date, 'YYYY-MM-DD') AS born, gender FROM residents`)
    const wrong = people.filter((p) => idNumberProblem(p.id_number, p.born, p.gender) !== null)
    expect(wrong.slice(0, 3)).toEqual([])
    expect(new Set(people.map((p) => p.id_number)).size).toBe(people.length)
  })

  it('names notices by the month they are now published in', async () => {
    const named = await rows<{ title: string; m: number }>(moved, `SELECT title, extract(month FROM published_at ${BEIJING})::int AS m FROM notices WHERE title ~ '^(关于开展)?[0-9]{1,2}月'`)
    expect(named.length).toBeGreaterThan(300)
    expect(named.filter((n) => !n.title.replace(/^关于开展/, '').startsWith(`${n.m}月`))).toEqual([])
  })

  it('counts the roll-ups on the moved times: this month has visits, and the figures equal a recount', async () => {
    const visits = await one<{ n: number }>(moved, `SELECT coalesce(sum(visits), 0)::int AS n FROM grid_rollup_visits WHERE month = '2027-03'`)
    const recount = await one<{ n: number }>(moved, `SELECT count(*)::int AS n FROM household_visits WHERE to_char(visited_at ${BEIJING}, 'YYYY-MM') = '2027-03'`)
    expect(visits.n).toBeGreaterThan(1000)
    expect(visits.n).toBe(recount.n)
    const days = `SELECT day::text, sum(total)::int AS n FROM order_rollup_days GROUP BY day ORDER BY day`
    const orders = `SELECT order_day(created_at)::text AS day, count(*)::int AS n FROM work_orders GROUP BY 1 ORDER BY 1`
    expect(await rows(moved, days)).toEqual(await rows(moved, orders))
    const town = { kind: 'town' as const, id: 1 }
    const stats = await getStats(moved, town, { keyGroupDetail: true })
    expect(stats).toEqual(await getStats(moved, town, { keyGroupDetail: true, live: true }))
    // the wall's charts end this month
    expect(stats!.law.monthly.at(-1)!.month).toBe('2027-03')
    expect(stats!.party!.attendance.at(-1)!.month).toBe('2027-03')
  })

  it('does not move them again at a second start, that day or a later one', async () => {
    const before = await one<{ at: string }>(moved, 'SELECT max(at)::text AS at FROM work_order_history')
    for (const today of [TODAY, '2027-03-20']) {
      await prepareDatabase(moved, { fixturesDir: FIXTURES_DIR, demoPassword: 'demo-password', say: () => {}, today })
      expect(await one(moved, 'SELECT max(at)::text AS at FROM work_order_history')).toEqual(before)
    }
    expect(await recordedDay(moved)).toEqual({ lastDay: '2027-03-14', month: '2027-03' })
  })
})

describe('a system started from the PGlite seed (the fixtures as dumped, no account yet)', () => {
  it('moves them to its own day before its first account, by the difference from the day they were dumped on', async () => {
    const seed = await openFixtureDb()
    try {
      // the seed is the township before any account: the test clone less its demo accounts
      await seed.query('DELETE FROM sessions')
      await seed.query('DELETE FROM users')
      const first = await moveRestoredFixtures(seed, '2026-12-08', FIXTURES_DIR)
      expect(first).toEqual({ days: 37, months: 2, years: 0 })
      // a seed dumped that day and restored three days later moves on by three days only
      const later = await moveRestoredFixtures(seed, '2026-12-11', FIXTURES_DIR)
      expect(later).toEqual({ days: 3, months: 0, years: 0 })
      const last = await one<{ day: string }>(seed, `SELECT to_char(max(at) ${BEIJING}, 'YYYY-MM-DD') AS day FROM work_order_history`)
      expect(last.day).toBe('2026-12-10')
      const month = await one<{ m: string }>(seed, `SELECT to_char(max(month), 'YYYY-MM') AS m FROM party_activities`)
      expect(month.m).toBe('2026-12')
      const town = { kind: 'town' as const, id: 1 }
      expect(await getStats(seed, town, { keyGroupDetail: true })).toEqual(await getStats(seed, town, { keyGroupDetail: true, live: true }))
      // once someone has an account, the township is never moved again
      await prepareDatabase(seed, { fixturesDir: FIXTURES_DIR, demoPassword: 'demo-password', say: () => {}, today: '2026-12-11' })
      expect(await moveRestoredFixtures(seed, '2026-12-20', FIXTURES_DIR)).toBeNull()
      expect(await one(seed, `SELECT to_char(max(at) ${BEIJING}, 'YYYY-MM-DD') AS day FROM work_order_history`)).toEqual({ day: '2026-12-10' })
    } finally {
      await seed.close()
    }
  })
})

describe('the wall\'s reference month', () => {
  it('is the current Beijing month, whatever month the data end in', async () => {
    const stats = await getStats(generated, { kind: 'town', id: 1 }, { keyGroupDetail: false })
    expect(stats!.referenceMonth).toBe(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7))
  })
})

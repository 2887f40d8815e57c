// The demo lives in today: the fixtures are generated once, ending at their reference month
// (manifest.referenceMonth), and a first start moves their times so that their last day is
// yesterday (Beijing) and their last month is this month. Rules, column by column:
// - `event` (a moment or a day something happened: orders and their steps, visits, disputes,
//   notices, deregistrations): + N whole days, N = yesterday − the last day of the reference
//   month. Times of day, durations and order between tables stay as generated. Whole days, not
//   weeks: the generator draws days uniformly (no weekday pattern to keep).
// - `birth` (birth dates): + the same N days, so every age on the load day is the age the
//   generator gave as of its reference day (care groups, school stages and 80+ allowances stay
//   true); the birth date inside each ID number follows, with its check digit.
// - `month` (first day of a month: party attendance, welfare payments, health coverage): + M
//   whole months, M = this month − the reference month, so month keys stay first days.
// - `year` (star reviews): + the years between the reference month's year and this one.
// - `keep`: not moved.
// Notice titles that name their month (10月份… / 关于开展10月28日…) take their new publication month.
// The shift is recorded (settings 'demo_day'): a seed dumped after a shift is moved on by the
// difference only, and a database anyone has signed in to is never moved again.
import type { Queryable } from './types.ts'

export type TimeKind = 'event' | 'birth' | 'month' | 'year' | 'keep'

/** Every date, timestamp and year column of the fixture tables, and how it follows the load day (a test fails on one missing). */
export const FIXTURE_TIME_COLUMNS: Record<string, Record<string, TimeKind>> = {
  grids: { retired_at: 'event' },
  // retired by people (车辆与设施); the fixtures' trucks and points are all in service
  vehicles: { retired_at: 'event' },
  collection_points: { retired_at: 'event' },
  transfer_stations: { retired_at: 'event' },
  residents: { birth_date: 'birth', deregistered_on: 'event' },
  party_activities: { month: 'month' },
  // reviewed_at and updated_at are set by people's writes (the fixtures leave them empty)
  star_reviews: { year: 'year', reviewed_at: 'keep' },
  welfare_funds: { month: 'month', updated_at: 'keep' },
  notices: { published_at: 'event' },
  disputes: { reported_at: 'event', resolved_at: 'event', stage_since: 'event' },
  dispute_history: { at: 'event' },
  work_orders: { created_at: 'event', state_since: 'event', deadline_at: 'event', handled_at: 'event', closed_at: 'event' },
  work_order_history: { at: 'event' },
  household_visits: { visited_at: 'event' },
}

/** Where the fixtures' end stands: their last day and their last month. */
export interface DemoDay {
  /** YYYY-MM-DD */
  lastDay: string
  /** YYYY-MM */
  month: string
}

export interface Shift {
  days: number
  months: number
  years: number
}

const DAY_MS = 86_400_000
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS
const monthNumber = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1

/** The fixtures as generated: their last day is the reference month's last. */
export function generatedDay(referenceMonth: string): DemoDay {
  const n = monthNumber(referenceMonth) + 1
  const next = Date.UTC(Math.floor(n / 12), n % 12, 1)
  return { lastDay: new Date(next - DAY_MS).toISOString().slice(0, 10), month: referenceMonth }
}

/** The demo on `today` (YYYY-MM-DD, Beijing): its last day yesterday, its last month this month. */
export function dayFor(today: string): DemoDay {
  return { lastDay: new Date((dayNumber(today) - 1) * DAY_MS).toISOString().slice(0, 10), month: today.slice(0, 7) }
}

export function shiftBetween(from: DemoDay, to: DemoDay): Shift {
  return {
    days: dayNumber(to.lastDay) - dayNumber(from.lastDay),
    months: monthNumber(to.month) - monthNumber(from.month),
    years: Number(to.month.slice(0, 4)) - Number(from.month.slice(0, 4)),
  }
}

export async function recordedDay(db: Queryable): Promise<DemoDay | null> {
  const v = (await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'demo_day'`)).rows[0]?.value
  return v ? (JSON.parse(v) as DemoDay) : null
}

const TIME_TYPES = ['date', 'timestamp with time zone', 'timestamp without time zone']

/** The time columns of `tables` the schema has: dates and timestamps, and integers named as years. */
export async function timeColumns(db: Queryable, tables: string[]): Promise<{ table: string; column: string; type: string }[]> {
  return (await db.query<{ table: string; column: string; type: string }>(
    `SELECT table_name AS table, column_name AS column, data_type AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) AND is_generated = 'NEVER'
        AND (data_type = ANY($2::text[]) OR (data_type IN ('integer', 'smallint', 'bigint') AND column_name ~ '(^|_)year$'))
      ORDER BY table_name, ordinal_position`,
    [tables, TIME_TYPES],
  )).rows
}

// 18-digit ID number: region 6 + birth date 8 + sequence 3 + check digit (GB 11643, geo/id-number.ts)
const checkDigit = (body: string) =>
  `substr('10X98765432', ((SELECT sum(substr(${body}, x.i::int, 1)::int * x.w) FROM unnest('{7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2}'::int[]) WITH ORDINALITY AS x(w, i)) % 11 + 1)::int, 1)`

/**
 * Moves the fixture tables' times from where they stand (the record, or as generated) to `today`,
 * inside the caller's transaction. The caller counts the roll-ups afterwards. Returns the shift
 * (all zeros when the fixtures already live in that day).
 */
export async function moveFixturesTo(tx: Queryable, tables: string[], referenceMonth: string, today: string): Promise<Shift> {
  const from = (await recordedDay(tx)) ?? generatedDay(referenceMonth)
  const to = dayFor(today)
  const shift = shiftBetween(from, to)
  if (shift.days !== 0 || shift.months !== 0 || shift.years !== 0) {
    // with the load's replication role (a superuser) no trigger fires; otherwise the tables'
    // own triggers (append-only history, roll-ups, notifications) are set aside while they move
    const replica = (await tx.query<{ r: string }>(`SELECT current_setting('session_replication_role') AS r`)).rows[0].r === 'replica'
    const columns = await timeColumns(tx, tables)
    for (const table of [...new Set(columns.map((c) => c.table))]) {
      if (!replica) await tx.query(`ALTER TABLE "${table}" DISABLE TRIGGER USER`)
      await moveTable(tx, table, columns.filter((c) => c.table === table), shift)
      if (!replica) await tx.query(`ALTER TABLE "${table}" ENABLE TRIGGER USER`)
    }
  }
  await tx.query(
    `INSERT INTO settings (key, value) VALUES ('demo_day', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [JSON.stringify(to)],
  )
  return shift
}

async function moveTable(tx: Queryable, table: string, columns: { column: string; type: string }[], shift: Shift): Promise<void> {
  // names come from the catalogue; the amounts are integers computed here
  const unique = new Set((await tx.query<{ c: string }>(
    `SELECT a.attname AS c FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisunique`, [`"${table}"`])).rows.map((r) => r.c))
  const by = (c: { column: string; type: string }, n: number) => {
    if (c.type !== 'date' && !c.type.startsWith('timestamp')) return `"${c.column}" + ${n}`
    // days as 24 hours: a timestamp keeps its Beijing time of day whatever the session's time zone
    const interval = kindOf(table, c.column) === 'month' ? `make_interval(months => ${n})` : c.type === 'date' ? `make_interval(days => ${n})` : `make_interval(hours => ${n * 24})`
    return c.type === 'date' ? `("${c.column}" + ${interval})::date` : `"${c.column}" + ${interval}`
  }
  const amountOf = (kind: TimeKind) => (s: Shift) => kind === 'month' ? s.months : kind === 'year' ? s.years : kind === 'keep' ? 0 : s.days
  const together: string[] = []
  for (const c of columns) {
    const kind = kindOf(table, c.column)
    const amount = amountOf(kind)
    if (amount(shift) === 0) continue
    if (kind === 'birth' && table === 'residents') {
      await moveBirthDates(tx, c.column, shift.days)
    } else if (unique.has(c.column)) {
      // A key moved in place collides with the row it lands on (uniqueness is checked row by
      // row): first past the far end of the column's values, then back into place.
      const span = (await tx.query<{ n: number }>(`SELECT coalesce(${spanSql(c, kind)}, 0) + 1 AS n FROM "${table}"`)).rows[0].n
      const away = amount(shift) >= 0 ? span : -span
      await tx.query(`UPDATE "${table}" SET "${c.column}" = ${by(c, amount(shift) + away)} WHERE "${c.column}" IS NOT NULL`)
      await tx.query(`UPDATE "${table}" SET "${c.column}" = ${by(c, -away)} WHERE "${c.column}" IS NOT NULL`)
    } else {
      together.push(c.column)
    }
  }
  // one pass over the table for all its other columns (NULL stays NULL)
  if (together.length) {
    const set = together.map((name) => `"${name}" = ${by(columns.find((c) => c.column === name)!, amountOf(kindOf(table, name))(shift))}`)
    await tx.query(`UPDATE "${table}" SET ${set.join(', ')} WHERE ${together.map((name) => `"${name}" IS NOT NULL`).join(' OR ')}`)
  }
  if (table === 'notices' && shift.days !== 0 && columns.some((c) => c.column === 'published_at') && (await hasColumn(tx, 'notices', 'title'))) {
    // 10月份村级财务收支明细公开, 关于开展10月28日党员活动日的通知: the month they were published in
    await tx.query(
      `UPDATE notices SET title = regexp_replace(title, '^(关于开展)?[0-9]{1,2}月', '\\1' || extract(month FROM published_at AT TIME ZONE 'Asia/Shanghai')::int || '月')
        WHERE title ~ '^(关于开展)?[0-9]{1,2}月'`,
    )
  }
}

/** how far apart a column's values are, in the unit it moves by */
function spanSql(c: { column: string; type: string }, kind: TimeKind): string {
  if (kind === 'month') return `(extract(year FROM age(max("${c.column}"), min("${c.column}"))) * 12 + extract(month FROM age(max("${c.column}"), min("${c.column}"))))::int`
  if (c.type === 'date') return `max("${c.column}") - min("${c.column}")`
  if (c.type.startsWith('timestamp')) return `ceil(extract(epoch FROM max("${c.column}") - min("${c.column}")) / 86400)::int`
  return `(max("${c.column}") - min("${c.column}"))::int`
}

const hasColumn = async (tx: Queryable, table: string, column: string) => (await tx.query(
  `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`, [table, column])).rows.length > 0

/** A column not in the table is moved as an event (most new time columns are), and the classification test fails until it is named. */
export function kindOf(table: string, column: string): TimeKind {
  return FIXTURE_TIME_COLUMNS[table]?.[column] ?? 'event'
}

/**
 * Birth dates move by `days`, and each ID number holding its birth date (all the generator
 * makes) is rewritten to the new date with a new check digit, so the record stays one a
 * department's file or the phone's check would accept. ID numbers are unique: they are set
 * aside ('~' + number) first, so that no new number meets an old one in passing.
 */
async function moveBirthDates(tx: Queryable, column: string, days: number): Promise<void> {
  await tx.query(`UPDATE residents SET id_number = '~' || id_number WHERE id_number ~ '^[0-9]{17}[0-9X]$' AND substr(id_number, 7, 8) = to_char("${column}", 'YYYYMMDD')`)
  await tx.query(
    `UPDATE residents r SET "${column}" = s.born,
            id_number = CASE WHEN s.body IS NULL THEN r.id_number ELSE s.body || ${checkDigit('s.body')} END
       FROM (SELECT id, "${column}" + ${days} AS born,
                    CASE WHEN id_number LIKE '~%' THEN substr(id_number, 2, 6) || to_char("${column}" + ${days}, 'YYYYMMDD') || substr(id_number, 16, 3) END AS body
               FROM residents) s
      WHERE s.id = r.id`,
  )
}

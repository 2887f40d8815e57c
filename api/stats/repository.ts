import type { Queryable } from '../db/types.ts'
import type { Scope } from '../access/screen-scope.ts'
import type { CountBy, Stats } from '../../geo/stats.ts'
import { liveFigures, rollupFigures } from './figures.ts'
import { coverageFigures, liveCoverage, rollupCoverage } from './coverage.ts'
import { inputsOf, type ReviewRow } from '../stars/repository.ts'
import { rateSecretary } from '../../geo/stars.ts'

export type { Stats }

// Every figure is filtered by the same three parameters: $1 village id, $2 grid id, $3 town id
// (NULL = not restricted; all three NULL is the county). Figures recorded per grid (people,
// coverage, cameras, disputes) add up from grid to village to town to county; figures recorded
// per village (party attendance, welfare funds, star ratings) add up from village upwards and
// are absent at grid scope.
const IN_TOWN = `($3::int IS NULL OR g.village_id IN (SELECT tv.id FROM villages tv WHERE tv.town_id = $3))`
const IN_GRIDS = `SELECT g.id FROM grids g WHERE ($1::int IS NULL OR g.village_id = $1) AND ($2::int IS NULL OR g.id = $2) AND ${IN_TOWN}`
const IN_VILLAGES = `SELECT v.id FROM villages v WHERE ($1::int IS NULL OR v.id = $1) AND ($3::int IS NULL OR v.town_id = $3)`

const countBy = (rows: { key: string; count: number }[]): CountBy[] => rows.map((r) => ({ key: r.key, count: r.count }))

/** The county's name: a fixture set made before counties has none, and says 全县. */
const countyName = async (db: Queryable) => (await db.query<{ name: string }>('SELECT name FROM county WHERE id = 1')).rows[0]?.name ?? '全县'

export async function scopeName(db: Queryable, scope: Scope): Promise<Stats['scope'] | null> {
  if (scope.kind === 'county') return { kind: 'county', id: null, name: await countyName(db), path: [{ kind: 'county', id: null, name: await countyName(db) }] }
  // a path starts at the town: a town's wall shows 镇 › 村 › 网格 as it did before counties
  const townOf = scope.kind === 'town' ? 'SELECT id, name FROM towns WHERE id = $1'
    : scope.kind === 'village' ? 'SELECT t.id, t.name FROM towns t JOIN villages v ON v.town_id = t.id WHERE v.id = $1'
    : 'SELECT t.id, t.name FROM towns t JOIN villages v ON v.town_id = t.id JOIN grids g ON g.village_id = v.id WHERE g.id = $1'
  const town = (await db.query<{ id: number; name: string }>(townOf, [scope.id])).rows[0]
  if (!town) return null
  const path: Stats['scope']['path'] = [{ kind: 'town', id: town.id, name: town.name }]
  if (scope.kind === 'village') {
    const v = (await db.query<{ name: string }>('SELECT name FROM villages WHERE id = $1', [scope.id])).rows[0]
    if (!v) return null
    path.push({ kind: 'village', id: scope.id, name: v.name })
  } else if (scope.kind === 'grid') {
    const g = (await db.query<{ name: string; village_id: number; village: string }>(
      'SELECT g.name, g.village_id, v.name AS village FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.id = $1', [scope.id])).rows[0]
    if (!g) return null
    path.push({ kind: 'village', id: g.village_id, name: g.village }, { kind: 'grid', id: scope.id, name: g.name })
  }
  return { kind: scope.kind, id: scope.id, name: path[path.length - 1].name, path }
}

/** `live` recounts people, coverage, cameras and disputes from the base tables instead of the grid roll-ups (bench baseline, tests) */
export async function getStats(db: Queryable, scope: Scope, opts: { keyGroupDetail: boolean; live?: boolean }): Promise<Stats | null> {
  const named = await scopeName(db, scope)
  if (!named) return null
  const p = [scope.kind === 'village' ? scope.id : null, scope.kind === 'grid' ? scope.id : null, scope.kind === 'town' ? scope.id : null]
  const q = <T>(sql: string) => db.query<T>(sql, p).then((r) => r.rows)
  const { pop, ageBands, tags, cameras, disputes, resolvedMonthly, ledger } = await (opts.live ? liveFigures : rollupFigures)(db, IN_GRIDS, p)
  const [counts] = await q<{ items: number; departments: number; villages: number; grids: number; vehicles: number; points: number }>(
    `SELECT (SELECT count(*) FROM data_items) AS items, (SELECT count(*) FROM departments) AS departments,
            (SELECT count(DISTINCT g.village_id) FROM grids g WHERE g.id IN (${IN_GRIDS})) AS villages,
            (SELECT count(*) FROM grids WHERE retired_at IS NULL AND id IN (${IN_GRIDS})) AS grids,
            (SELECT count(*) FROM vehicles WHERE retired_at IS NULL) AS vehicles,
            (SELECT count(*) FROM collection_points WHERE retired_at IS NULL AND grid_id IN (${IN_GRIDS})) AS points`,
  )
  const sumBy = <K extends string>(key: (d: (typeof disputes)[number]) => K) => {
    const m = new Map<K, number>()
    for (const d of disputes) m.set(key(d), (m.get(key(d)) ?? 0) + d.n)
    return [...m].map(([k, count]) => ({ key: k, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
  }
  // every month from the first to the last with a dispute, the empty ones as zeros: a grid has
  // disputes in a few months, and a chart of only those would put March beside October
  const months = monthRange([...disputes.map((d) => d.month), ...resolvedMonthly.map((r) => r.month)])
  const byStatus = sumBy((d) => d.status)
  const statusCount = (s: string) => byStatus.find((b) => b.key === s)?.count ?? 0
  // the figures are today's: their month is this Beijing month
  const [{ month }] = (await db.query<{ month: string }>(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month`)).rows

  const stats: Stats = {
    coarse: null,
    scope: named,
    referenceMonth: month,
    population: {
      households: pop.households, residents: pop.residents, male: pop.male, female: pop.female,
      ageBands: countBy(ageBands), partyMembers: pop.party,
      careGroups: countBy(tags.filter((t) => t.kind === 'care')),
      keyGroupTotal: tags.filter((t) => t.kind === 'key').reduce((s, t) => s + t.count, 0),
      ...(opts.keyGroupDetail ? { keyGroups: countBy(tags.filter((t) => t.kind === 'key')) } : {}),
      dataItems: counts.items, departments: counts.departments,
    },
    party: null,
    affairs: null,
    health: coverageFigures(month, await (opts.live ? liveCoverage : rollupCoverage)(db, IN_GRIDS, p)),
    management: {
      villages: counts.villages, grids: counts.grids, vehicles: counts.vehicles, collectionPoints: counts.points,
      ledgers: ledger,
      cameras: {
        total: cameras.reduce((s, c) => s + c.total, 0),
        online: cameras.reduce((s, c) => s + c.online, 0),
        byKind: cameras.map((c) => ({ key: c.key, count: c.total })),
      },
    },
    law: {
      disputes: disputes.reduce((s, d) => s + d.n, 0),
      byType: sumBy((d) => d.type),
      byStatus,
      resolved: statusCount('resolved'),
      // every closed dispute, whatever its outcome (调解成功率 = resolved / closed; migration 042)
      closed: statusCount('resolved') + statusCount('failed') + statusCount('referred'),
      monthly: months.map((m) => ({
        month: m,
        reported: disputes.filter((d) => d.month === m).reduce((s, d) => s + d.n, 0),
        resolved: resolvedMonthly.find((r) => r.month === m)?.n ?? 0,
      })),
    },
  }
  if (scope.kind === 'grid') return stats

  const attendance = await q<{ month: string; kind: string; expected: number; attended: number }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, kind, sum(expected) AS expected, sum(attended) AS attended
       FROM party_activities WHERE village_id IN (${IN_VILLAGES}) AND $2::int IS NULL GROUP BY month, kind ORDER BY month`,
  )
  // each village's latest review: a village reviewed for a new year shows it while the others
  // keep theirs until they are reviewed too
  const stars = await q<{ village_id: number; name: string; year: number } & ReviewRow>(
    `SELECT DISTINCT ON (s.village_id) s.village_id, v.name, s.year, s.annual_review, s.honours, s.tenure_years
       FROM star_reviews s JOIN villages v ON v.id = s.village_id
      WHERE s.village_id IN (${IN_VILLAGES}) AND $2::int IS NULL ORDER BY s.village_id, s.year DESC`,
  )
  const attendanceMonths = [...new Set(attendance.map((a) => a.month))]
  const pick = (m: string, kind: string) => {
    const a = attendance.find((x) => x.month === m && x.kind === kind)
    return { expected: a?.expected ?? 0, attended: a?.attended ?? 0 }
  }
  stats.party = {
    members: pop.party,
    attendance: attendanceMonths.map((m) => ({ month: m, activityDay: pick(m, 'activityDay'), threeMeetings: pick(m, 'threeMeetings') })),
    stars: stars.map((s) => ({ villageId: s.village_id, name: s.name, year: s.year, ...rateSecretary(inputsOf(s)) })),
  }

  // 民生资金 of the 12 months ending at the latest month 民政 reported (for every scope the same
  // months, so villages compare): the panel says 近 12 个月, and imports go on for years
  const [period] = (await db.query<{ from: string | null; to: string | null }>(
    `SELECT to_char(max(month) - interval '11 months', 'YYYY-MM') AS "from", to_char(max(month), 'YYYY-MM') AS "to" FROM welfare_funds`)).rows
  const IN_PERIOD = `month > (SELECT max(month) FROM welfare_funds) - interval '12 months'`
  const funds = await q<{ category: string; amount: number; recipients: number }>(
    `SELECT category, sum(amount_yuan) AS amount, sum(recipients) AS recipients FROM welfare_funds
      WHERE village_id IN (${IN_VILLAGES}) AND $2::int IS NULL AND ${IN_PERIOD} GROUP BY category ORDER BY sum(amount_yuan) DESC, category`,
  )
  const fundsByVillage = await q<{ village_id: number; name: string; amount: number }>(
    `SELECT f.village_id, v.name, sum(f.amount_yuan) AS amount FROM welfare_funds f JOIN villages v ON v.id = f.village_id
      WHERE f.village_id IN (${IN_VILLAGES}) AND $2::int IS NULL AND f.${IN_PERIOD} GROUP BY f.village_id, v.name ORDER BY sum(f.amount_yuan) DESC, f.village_id`,
  )
  const notices = await q<{ id: number; village: string; category: string; title: string; published_at: Date }>(
    `SELECT n.id, v.name AS village, n.category, n.title, n.published_at FROM notices n JOIN villages v ON v.id = n.village_id
      WHERE n.village_id IN (${IN_VILLAGES}) AND $2::int IS NULL ORDER BY n.published_at DESC, n.id DESC LIMIT 12`,
  )
  const cents = (x: number) => Math.round(x * 100) / 100
  stats.affairs = {
    fundsByCategory: funds.map((f) => ({ category: f.category, amountYuan: cents(f.amount), recipients: f.recipients })),
    fundsByVillage: fundsByVillage.map((f) => ({ villageId: f.village_id, name: f.name, amountYuan: cents(f.amount) })),
    fundsTotalYuan: cents(funds.reduce((s, f) => s + f.amount, 0)),
    fundsMonths: period?.from && period.to ? { from: period.from, to: period.to } : null,
    notices: notices.map((n) => ({ id: n.id, villageName: n.village, category: n.category, title: n.title, publishedAt: new Date(n.published_at).toISOString() })),
  }

  return stats
}

/** Every care group (特殊人群) there is, counted or not: those with a ledger period. */
export async function careGroupNames(db: Queryable): Promise<string[]> {
  return (await db.query<{ tag: string }>(`SELECT tag FROM ledger_periods WHERE kind = 'care' ORDER BY tag`)).rows.map((r) => r.tag)
}

/** 'YYYY-MM' months from the earliest to the latest of `seen`, each once, in order */
export function monthRange(seen: string[]): string[] {
  if (!seen.length) return []
  const sorted = [...seen].sort()
  const out: string[] = []
  let [y, m] = sorted[0].split('-').map(Number)
  const last = sorted[sorted.length - 1]
  for (let k = 0; k < 1200; k++) {
    const key = `${y}-${String(m).padStart(2, '0')}`
    out.push(key)
    if (key >= last) break
    if (++m > 12) [y, m] = [y + 1, 1]
  }
  return out
}

import type { Queryable } from '../db/types.ts'

import type { Tour, TourSchedule, TourStep } from '../../geo/tours.ts'
export type { Tour, TourSchedule, TourStep }

const TOUR = `SELECT id, name, steps, schedule, updated_by AS "updatedBy",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt" FROM tours`

export async function listTours(db: Queryable): Promise<Tour[]> {
  return (await db.query<Tour>(`${TOUR} ORDER BY id`)).rows
}

/**
 * The whole set of tours as the admin saved it: named tours kept (by name) keep their id, so a
 * wall opened with ?tour=<name> goes on with the new steps; tours left out are removed.
 */
export async function saveTours(db: Queryable, tours: Omit<Tour, 'id' | 'updatedBy' | 'updatedAt'>[], by: string): Promise<Tour[]> {
  await db.query(`DELETE FROM tours WHERE NOT (name = ANY($1::text[]))`, [tours.map((t) => t.name)])
  for (const t of tours) {
    await db.query(
      `INSERT INTO tours (name, steps, schedule, updated_by) VALUES ($1, $2::jsonb, $3::jsonb, $4)
       ON CONFLICT (name) DO UPDATE SET steps = excluded.steps, schedule = excluded.schedule, updated_by = excluded.updated_by, updated_at = now()`,
      [t.name, JSON.stringify(t.steps), t.schedule ? JSON.stringify(t.schedule) : null, by])
  }
  return listTours(db)
}

export interface DisplayReport {
  displayId: string
  scope: string
  tour: string | null
  version: string
  width: number
  height: number
  fps: number | null
  heapMb: number | null
  domNodes: number | null
  /** the wall reloaded itself since its last report (new build, heap past the limit) */
  reloaded?: boolean
}

/** A wall's report: the newest state, and its heap appended to an hour-long series. */
export async function recordReport(db: Queryable, r: DisplayReport, username: string, userAgent: string): Promise<void> {
  await db.query(
    `INSERT INTO displays (id, username, last_seen, scope, tour, version, width, height, fps, heap_mb, dom_nodes, user_agent, heap_series, reloads)
     VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $9::real IS NULL THEN '{}' ELSE ARRAY[$9::real] END, CASE WHEN $12 THEN 1 ELSE 0 END)
     ON CONFLICT (id) DO UPDATE SET username = excluded.username, last_seen = now(), scope = excluded.scope, tour = excluded.tour,
       version = excluded.version, width = excluded.width, height = excluded.height, fps = excluded.fps, heap_mb = excluded.heap_mb,
       dom_nodes = excluded.dom_nodes, user_agent = excluded.user_agent,
       heap_series = CASE WHEN excluded.heap_mb IS NULL THEN displays.heap_series
                          ELSE (displays.heap_series || excluded.heap_mb)[greatest(1, cardinality(displays.heap_series) - 58):] END,
       reloads = displays.reloads + CASE WHEN $12 THEN 1 ELSE 0 END`,
    [r.displayId, username, r.scope, r.tour, r.version, r.width, r.height, r.fps, r.heapMb, r.domNodes, userAgent.slice(0, 200), r.reloaded === true],
  )
}

export interface DisplayState extends Omit<DisplayReport, 'reloaded'> {
  username: string
  firstSeen: string
  lastSeen: string
  /** reported within the last 2.5 minutes (it reports every minute) */
  online: boolean
  /** on an older build than the server's */
  stale: boolean
  heapSeries: number[]
  /** MB per hour over the series, by a least-squares line: a wall that leaks shows it here */
  heapTrendMbPerHour: number | null
  reloads: number
  /** the name the admin gave it (null: not named yet) */
  name: string | null
  /** the tour the admin assigned to it (a ?tour= in its address wins) */
  tourId: number | null
  tourName: string | null
}

export function trendPerHour(series: number[]): number | null {
  if (series.length < 5) return null
  const n = series.length
  const mx = (n - 1) / 2
  const my = series.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  series.forEach((y, x) => {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  })
  return Math.round((num / den) * 60 * 10) / 10
}

export async function listDisplays(db: Queryable, serverVersion: string): Promise<DisplayState[]> {
  const r = await db.query<Omit<DisplayState, 'online' | 'stale' | 'heapTrendMbPerHour'> & { online: boolean }>(
    `SELECT id AS "displayId", username, to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "firstSeen",
            to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSeen", last_seen > now() - interval '150 seconds' AS online,
            scope, tour, version, width, height, fps, heap_mb AS "heapMb", dom_nodes AS "domNodes", heap_series AS "heapSeries", reloads,
            name, tour_id AS "tourId", (SELECT t.name FROM tours t WHERE t.id = tour_id) AS "tourName"
       FROM displays ORDER BY name IS NULL, name, last_seen DESC LIMIT 500`)
  return r.rows.map((d) => ({ ...d, stale: d.version !== serverVersion, heapTrendMbPerHour: trendPerHour(d.heapSeries.map(Number)) }))
}

import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { scopeCondition } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'

export type CameraKind = 'high' | 'low' | 'face'

export interface Camera {
  id: number
  name: string
  kind: CameraKind
  lon: number
  lat: number
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  online: boolean
  streamUrl: string | null
  /** the gateway's last heartbeat; null: never reported (a new camera is offline until then) */
  lastSeenAt: string | null
}

export interface CameraAlert {
  id: number
  cameraId: number
  cameraName: string
  kind: CameraKind
  villageName: string
  gridName: string
  raisedAt: string
  lastSeenAt: string | null
  endedAt: string | null
  acknowledgedBy: string | null
  acknowledgedAt: string | null
}

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const COLUMNS = `c.id, c.name, c.kind, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.grid_id AS "gridId", g.name AS "gridName",
  g.village_id AS "villageId", v.name AS "villageName", c.online, c.stream_url AS "streamUrl",
  ${iso('hb.last_seen_at')} AS "lastSeenAt"`
const FROM = `cameras c JOIN grids g ON g.id = c.grid_id JOIN villages v ON v.id = g.village_id LEFT JOIN camera_heartbeats hb ON hb.camera_id = c.id`

export interface CameraFilter {
  kind?: CameraKind
  village?: number
  online?: boolean
  q?: string
  limit: number
  offset: number
}

/** The cameras of the caller's county or town, newest first: a page and the total. */
export async function listCameras(db: Queryable, user: AuthUser, f: CameraFilter): Promise<{ items: Camera[]; total: number }> {
  const params: unknown[] = [f.limit, f.offset]
  const bind = (v: unknown) => `$${params.push(v)}`
  const where = [scopeCondition(user, { village: 'g.village_id' }, params)]
  if (f.kind) where.push(`c.kind = ${bind(f.kind)}`)
  if (f.village !== undefined) where.push(`g.village_id = ${bind(f.village)}::int`)
  if (f.online !== undefined) where.push(`c.online = ${bind(f.online)}::boolean`)
  if (f.q) where.push(`strpos(c.name, ${bind(f.q)}) > 0`)
  const r = await db.query<Camera & { total: number }>(
    `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY c.id DESC LIMIT $1 OFFSET $2`, params)
  return { items: r.rows.map(({ total: _t, ...c }) => c), total: r.rows[0]?.total ?? 0 }
}

/** One camera: 404 unknown, 403 outside the caller's town. */
export async function getCamera(db: Queryable, user: AuthUser, id: number): Promise<Camera> {
  const params: unknown[] = [id]
  const cond = scopeCondition(user, { village: 'g.village_id' }, params)
  const r = await db.query<Camera & { allowed: boolean }>(`SELECT ${cond} AS allowed, ${COLUMNS} FROM ${FROM} WHERE c.id = $1`, params)
  const c = r.rows[0]
  if (!c) throw notFound(`camera ${id}`)
  if (!c.allowed) throw new HttpError(403, `camera ${id} is outside your scope`)
  const { allowed: _a, ...camera } = c
  return camera
}

/** The current grid covering a point, base grids first: a camera belongs to the grid it stands in. */
async function gridAt(db: Queryable, lon: number, lat: number): Promise<number> {
  const r = await db.query<{ id: number }>(
    `SELECT g.id FROM grids g WHERE g.retired_at IS NULL AND ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
      ORDER BY g.kind = 'base' DESC, g.id LIMIT 1`, [lon, lat])
  if (!r.rows.length) throw new HttpError(422, `body/lon,lat (${lon.toFixed(6)}, ${lat.toFixed(6)}) lies outside every grid of the county`, 'outside_grids')
  return r.rows[0].id
}

export interface NewCamera {
  name: string
  kind: CameraKind
  lon: number
  lat: number
  streamUrl: string | null
}

/** A camera at a point, in the grid there; offline until its gateway reports it (未接入). */
export async function createCamera(db: Db, c: NewCamera): Promise<{ id: number; gridId: number }> {
  return db.transaction(async (tx) => {
    const gridId = await gridAt(tx, c.lon, c.lat)
    const r = await tx.query<{ id: number }>(
      `INSERT INTO cameras (grid_id, kind, name, online, geom, stream_url) VALUES ($1, $2, $3, false, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6) RETURNING id`,
      [gridId, c.kind, c.name, c.lon, c.lat, c.streamUrl])
    return { id: r.rows[0].id, gridId }
  })
}

export type CameraPatch = Partial<NewCamera>

/** Only what is given changes; a new point takes the grid there. */
export async function patchCamera(db: Db, id: number, p: CameraPatch): Promise<{ id: number; gridId: number }> {
  return db.transaction(async (tx) => {
    const cur = (await tx.query<{ grid_id: number; lon: number; lat: number }>(
      'SELECT grid_id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM cameras WHERE id = $1 FOR UPDATE', [id])).rows[0]
    if (!cur) throw notFound(`camera ${id}`)
    if ((p.lon === undefined) !== (p.lat === undefined)) throw new HttpError(400, `body/${p.lon === undefined ? 'lon' : 'lat'} is required with body/${p.lon === undefined ? 'lat' : 'lon'}`)
    const moved = p.lon !== undefined && p.lat !== undefined && (p.lon !== cur.lon || p.lat !== cur.lat)
    const gridId = moved ? await gridAt(tx, p.lon!, p.lat!) : cur.grid_id
    await tx.query(
      `UPDATE cameras SET name = coalesce($2, name), kind = coalesce($3, kind), grid_id = $4,
              geom = CASE WHEN $5::boolean THEN ST_SetSRID(ST_MakePoint($6, $7), 4326) ELSE geom END,
              stream_url = CASE WHEN $8::boolean THEN $9 ELSE stream_url END
        WHERE id = $1`,
      [id, p.name ?? null, p.kind ?? null, gridId, moved, p.lon ?? 0, p.lat ?? 0, p.streamUrl !== undefined, p.streamUrl ?? null])
    return { id, gridId }
  })
}

export async function deleteCamera(db: Queryable, id: number): Promise<void> {
  const r = await db.query('DELETE FROM cameras WHERE id = $1 RETURNING id', [id])
  if (!r.rows.length) throw notFound(`camera ${id}`)
}

/**
 * The gateway hears a camera: its heartbeat is kept apart from the camera's row, which is
 * written only when the camera comes back online (and its offline alert ends then).
 */
export async function heartbeat(db: Db, id: number, now = new Date()): Promise<{ id: number; online: boolean; cameBack: boolean }> {
  return db.transaction(async (tx) => {
    const cam = (await tx.query<{ online: boolean }>('SELECT online FROM cameras WHERE id = $1 FOR UPDATE', [id])).rows[0]
    if (!cam) throw notFound(`camera ${id}`)
    await tx.query(
      `INSERT INTO camera_heartbeats (camera_id, last_seen_at) VALUES ($1, $2)
       ON CONFLICT (camera_id) DO UPDATE SET last_seen_at = greatest(camera_heartbeats.last_seen_at, excluded.last_seen_at)`,
      [id, now.toISOString()])
    if (cam.online) return { id, online: true, cameBack: false }
    await tx.query('UPDATE cameras SET online = true WHERE id = $1', [id])
    await tx.query('UPDATE camera_alerts SET ended_at = $2 WHERE camera_id = $1 AND ended_at IS NULL', [id, now.toISOString()])
    return { id, online: true, cameBack: true }
  })
}

/**
 * 离线: cameras the gateway reported before and has not heard for `minutes` at `now` go offline,
 * each with an alert. Cameras never reported keep their state. Safe on every API process at
 * once: the update re-reads `online` under its row locks, so a camera turns offline once.
 */
export async function markSilentCamerasOffline(db: Db, now: Date, minutes: number): Promise<number[]> {
  const cutoff = new Date(now.getTime() - minutes * 60_000).toISOString()
  // looked for first: an UPDATE of no rows would still tell every screen the cameras changed
  const silent = await db.query<{ id: number }>(
    `SELECT c.id FROM cameras c JOIN camera_heartbeats hb ON hb.camera_id = c.id WHERE c.online AND hb.last_seen_at < $1`, [cutoff])
  if (!silent.rows.length) return []
  return db.transaction(async (tx) => {
    const gone = await tx.query<{ id: number; last_seen_at: Date }>(
      `UPDATE cameras c SET online = false FROM camera_heartbeats hb
        WHERE hb.camera_id = c.id AND c.id = ANY($1::int[]) AND c.online AND hb.last_seen_at < $2
        RETURNING c.id, hb.last_seen_at`, [silent.rows.map((s) => s.id), cutoff])
    if (gone.rows.length) {
      await tx.query(
        `INSERT INTO camera_alerts (camera_id, raised_at, last_seen_at)
         SELECT unnest($1::int[]), $2, unnest($3::timestamptz[])
         ON CONFLICT (camera_id) WHERE ended_at IS NULL DO NOTHING`,
        [gone.rows.map((g) => g.id), now.toISOString(), gone.rows.map((g) => new Date(g.last_seen_at).toISOString())])
    }
    return gone.rows.map((g) => g.id).sort((a, b) => a - b)
  })
}

/** Offline alerts in the caller's county or town: open ones (not ended), or all, newest first. */
export async function listCameraAlerts(db: Queryable, user: AuthUser, f: { open: boolean; limit: number }): Promise<CameraAlert[]> {
  const params: unknown[] = [f.limit]
  const where = [scopeCondition(user, { village: 'g.village_id' }, params), f.open ? 'a.ended_at IS NULL' : 'TRUE']
  const r = await db.query<CameraAlert>(
    `SELECT a.id, a.camera_id AS "cameraId", c.name AS "cameraName", c.kind, v.name AS "villageName", g.name AS "gridName",
            ${iso('a.raised_at')} AS "raisedAt", ${iso('a.last_seen_at')} AS "lastSeenAt", ${iso('a.ended_at')} AS "endedAt",
            a.acknowledged_by AS "acknowledgedBy", ${iso('a.acknowledged_at')} AS "acknowledgedAt"
       FROM camera_alerts a JOIN cameras c ON c.id = a.camera_id JOIN grids g ON g.id = c.grid_id JOIN villages v ON v.id = g.village_id
      WHERE ${where.join(' AND ')} ORDER BY a.raised_at DESC, a.id DESC LIMIT $1`, params)
  return r.rows
}

/** 确认: someone at the center has seen it (the alert stays until the camera is heard again). */
export async function acknowledgeCameraAlert(db: Queryable, user: AuthUser, id: number): Promise<void> {
  const params: unknown[] = [id]
  const cond = scopeCondition(user, { village: 'g.village_id' }, params)
  const r = await db.query<{ allowed: boolean; acknowledged_by: string | null }>(
    `SELECT ${cond} AS allowed, a.acknowledged_by FROM camera_alerts a JOIN cameras c ON c.id = a.camera_id JOIN grids g ON g.id = c.grid_id
      WHERE a.id = $1`, params)
  if (!r.rows.length) throw notFound(`camera alert ${id}`)
  if (!r.rows[0].allowed) throw new HttpError(403, `camera alert ${id} is outside your scope`)
  if (r.rows[0].acknowledged_by) return
  await db.query('UPDATE camera_alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_by IS NULL', [id, user.username])
}

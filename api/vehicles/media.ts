/**
 * Photos taken by the trucks' cameras: stored through the photo store (decoded, re-encoded,
 * EXIF stripped) and listed per vehicle. A new one is announced on NOTIFY, so the process that
 * asked for a snapshot hears it whichever process held the truck's connection, and screens
 * get it live.
 */
import type { Db, Queryable } from '../db/types.ts'
import type { VehicleMedia } from '../../geo/vehicles.ts'
import { storePhoto } from '../photos/store.ts'

export const MEDIA_CHANNEL = 'vehicle_media'

export interface NewVehicleMedia {
  vehicleId: number
  phone: string
  mediaId: number
  channel: number
  event: number
  takenAt: string | null
  lon: number | null
  lat: number | null
  /** the terminal said an alarm was on (alarm word, or an alarm event code): the photo goes with its open alert */
  withAlarm: boolean
  jpeg: Buffer
}

const MEDIA_JSON = `json_build_object(
  'id', m.id, 'vehicleId', m.vehicle_id, 'photoId', m.photo_id,
  'url', '/api/photos/' || m.photo_id, 'thumbUrl', '/api/photos/' || m.photo_id || '/thumb',
  'channel', m.channel, 'event', m.event,
  'takenAt', to_char(m.taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'lon', ST_X(m.geom), 'lat', ST_Y(m.geom), 'alertId', m.alert_id,
  'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`

/** the terminal's uploads are stored as its own: a name no account can have */
export const terminalUploader = (phone: string) => ({ username: `#jt808:${phone}`, villageId: null })

/**
 * Stores one upload. The same JPEG sent again (a terminal resends an upload it was not
 * answered for) is the same photo and the same row.
 */
export async function storeVehicleMedia(db: Db, photosDir: string, m: NewVehicleMedia): Promise<VehicleMedia> {
  const { photo } = await storePhoto(db, photosDir, 'image/jpeg', m.jpeg, terminalUploader(m.phone))
  const r = await db.query<{ media: VehicleMedia }>(
    `WITH ins AS (
       INSERT INTO vehicle_media (vehicle_id, photo_id, phone, media_id, channel, event, taken_at, geom, alert_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz,
               CASE WHEN $8::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($8, $9), 4326) END,
               CASE WHEN $10 THEN (SELECT id FROM vehicle_alerts WHERE vehicle_id = $1 AND kind IN ('emergency', 'deviceFault') AND state <> 'closed'
                                    ORDER BY (kind = 'emergency') DESC, raised_at DESC LIMIT 1) END)
       ON CONFLICT (photo_id) DO NOTHING RETURNING *),
     m AS (SELECT * FROM ins UNION ALL SELECT * FROM vehicle_media WHERE photo_id = $2 AND NOT EXISTS (SELECT 1 FROM ins))
     SELECT ${MEDIA_JSON} AS media, (SELECT pg_notify('${MEDIA_CHANNEL}', ${MEDIA_JSON}::text) FROM ins m) AS notified FROM m`,
    [m.vehicleId, photo.id, m.phone, m.mediaId, m.channel, m.event, m.takenAt, m.lon, m.lat, m.withAlarm],
  )
  return r.rows[0].media
}

export async function listVehicleMedia(db: Queryable, vehicleId: number, limit: number): Promise<VehicleMedia[]> {
  const r = await db.query<{ media: VehicleMedia }>(
    `SELECT ${MEDIA_JSON} AS media FROM vehicle_media m WHERE m.vehicle_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2`,
    [vehicleId, limit])
  return r.rows.map((row) => row.media)
}

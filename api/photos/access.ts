import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { can } from '../access/policy.ts'
import { ownVillage, PEOPLE_COLUMNS, scopeCondition } from '../access/scope.ts'
import { ORDER_COLUMNS } from '../work-orders/visibility.ts'
import { SENSITIVE } from '../work-orders/wall-order.ts'

/**
 * Who may see a photo: its uploader; whoever may see a work order that carries it; and, for a
 * photo taken inside a home on a visit, the people who look after that household (its grid
 * worker, village cadre, leaders) — not the wall or the dispatcher. A photo attached to
 * nothing is its uploader's alone. Orders and visits may carry only their author's own
 * uploads (assertOwnPhotos), so naming someone else's photo cannot open it. A truck camera's
 * photo is seen by whoever may read that truck. A notice's photo (三务公开) is seen, while it is
 * a draft, by whoever may draft or approve notices of its village (the leader deciding on it must
 * see what she publishes), and once published by everyone signed in: publishing is the point.
 */
export async function readPhoto(db: Queryable, dir: string, id: number, size: 'display' | 'thumb', user: AuthUser): Promise<Buffer> {
  const params: unknown[] = [id, user.username]
  // a wall does not see the photos of an order in a sensitive category (a 低保 request: a home, a person)
  const orders = can(user, 'freeText.read') ? scopeCondition(user, ORDER_COLUMNS, params)
    : `(${scopeCondition(user, ORDER_COLUMNS, params)} AND NOT ${SENSITIVE})`
  const visits = can(user, 'visits.photos') ? scopeCondition(user, PEOPLE_COLUMNS, params) : 'FALSE'
  // a truck's camera photos: for whoever may read that truck (a village's people: the trucks serving their village)
  const village = ownVillage(user)
  const trucks = !can(user, 'vehicles.read') || village === 'none' ? 'FALSE'
    : village === null ? 'TRUE' : `vl.village_id = $${params.push(village)}`
  const drafts = !can(user, 'notices.draft') && !can(user, 'notices.approve') ? 'FALSE'
    : scopeCondition(user, { village: 'd.village_id' }, params)
  const r = await db.query<{ display: string; thumb: string; allowed: boolean }>(
    `SELECT p.display, p.thumb,
            p.uploaded_by = $2
            OR EXISTS (SELECT 1 FROM work_order_history h JOIN work_orders o ON o.id = h.order_id WHERE p.id = ANY(h.photo_ids) AND ${orders})
            OR EXISTS (SELECT 1 FROM household_visits v JOIN grids g ON g.id = v.grid_id WHERE p.id = ANY(v.photo_ids) AND ${visits})
            OR EXISTS (SELECT 1 FROM vehicle_media m LEFT JOIN vehicle_latest vl ON vl.vehicle_id = m.vehicle_id WHERE m.photo_id = p.id AND ${trucks})
            OR EXISTS (SELECT 1 FROM notice_drafts d WHERE p.id = ANY(d.photo_ids) AND ${drafts})
            OR EXISTS (SELECT 1 FROM notices n WHERE p.id = ANY(n.photo_ids)) AS allowed
       FROM photos p WHERE p.id = $1`,
    params,
  )
  if (!r.rows.length) throw notFound(`photo ${id}`)
  if (!r.rows[0].allowed) throw new HttpError(403, `photo ${id} is outside your scope`)
  return readFile(join(dir, size === 'thumb' ? r.rows[0].thumb : r.rows[0].display))
}

/**
 * A photo of a resident's report, for the report's status page: only those she sent with it (the
 * report step's own), reached by its tracking code as the status is. Anything else under a code,
 * another report's photo or the handler's after-photo, is the same 404 as an unknown code, so
 * the answer tells nothing about photos that exist.
 */
export async function readReportPhoto(db: Queryable, dir: string, trackingCode: string, id: number, size: 'display' | 'thumb'): Promise<Buffer> {
  const r = await db.query<{ display: string; thumb: string }>(
    `SELECT p.display, p.thumb FROM photos p
      WHERE p.id = $2 AND EXISTS (
        SELECT 1 FROM work_orders o JOIN work_order_history h ON h.order_id = o.id AND h.action = 'create'
         WHERE o.source = 'resident' AND o.tracking_code = $1 AND p.id = ANY(h.photo_ids))`,
    [trackingCode, id],
  )
  if (!r.rows.length) throw notFound(`photo ${id} of this report`)
  return readFile(join(dir, size === 'thumb' ? r.rows[0].thumb : r.rows[0].display))
}

/**
 * 400 naming the first photo id that is not the caller's own upload. Called in the transaction
 * that attaches them: the lock keeps the expiry of unattached photos (api/photos/expiry.ts) off
 * them until the attachment is committed.
 */
export async function assertOwnPhotos(db: Queryable, ids: readonly number[] | undefined, user: Pick<AuthUser, 'username'>, field = 'body/photoIds'): Promise<void> {
  if (!ids?.length) return
  const r = await db.query<{ id: number }>('SELECT id FROM photos WHERE id = ANY($1::int[]) AND uploaded_by = $2 FOR KEY SHARE', [ids, user.username])
  const own = new Set(r.rows.map((x) => x.id))
  const i = ids.findIndex((id) => !own.has(id))
  if (i >= 0) throw new HttpError(400, `${field}/${i} is not a photo you uploaded (${ids[i]})`)
}

import { createHash, randomInt } from 'node:crypto'
import type { Db, Queryable } from '../db/types.ts'
import { HttpError } from '../http/errors.ts'
import { assertOwnPhotos } from '../photos/access.ts'
import { announce, appendHistory, category, deadline, snapToGrid } from '../work-orders/repository.ts'
import { PUBLIC_STEP_LABELS, type PublicReportStatus, type WorkOrderHistoryEntry, type WorkOrderOutcome, type WorkOrderState } from '../../geo/work-orders.ts'

/**
 * A resident's reports have no account behind them: the reporter is this name, which no
 * account can have (usernames are letters, digits and . _ -), so no staff user's "my reports"
 * or "the reporter rates" rule can reach them.
 */
export const RESIDENT = { username: '#resident', role: 'resident' } as const

/** Crockford's base32 without I, L, O, U: read aloud and typed from a phone without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** 10 characters, 50 bits: not guessable, even at the lookup rate limit, in a lifetime */
export function newTrackingCode(): string {
  return Array.from({ length: 10 }, () => ALPHABET[randomInt(32)]).join('')
}
/** what a resident types: any case, with or without the dash the page shows (ABCDE-FGHJK) */
export const normalizeTrackingCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')

/** Photos a resident uploads carry the hash of the key her page made, so only her report can take them. */
export const residentUploader = (uploadKey: string) => ({ username: `resident:${createHash('sha256').update(uploadKey).digest('hex').slice(0, 24)}`, villageId: null })

export interface ResidentReport {
  category: string
  description: string
  lon: number
  lat: number
  phone?: string
  photoIds?: number[]
  uploadKey?: string
  /** the page's own key for this report: sent again (an answer lost on a bad line), it gets the same tracking code */
  clientKey?: string
}

/**
 * 一键点单: an order in state asked (问), source resident, snapped to its grid; its tracking code
 * (and whether it is new). `limitPhone` takes one from the sender's allowance for reports with
 * this phone (it throws when none is left); a report sent again by its clientKey costs nothing.
 */
export async function createResidentReport(db: Db, input: ResidentReport, limitPhone: () => Promise<void>, now = new Date()): Promise<{ trackingCode: string; created: boolean }> {
  const cat = await category(db, input.category)
  if (input.photoIds?.length && !input.uploadKey) throw new HttpError(400, 'body/uploadKey is required with photoIds (the key the photos were uploaded with)')
  // a resident's key lives beside the staff's keys; prefixed, it can never name a staff order
  const clientKey = input.clientKey ? `resident:${input.clientKey}` : null
  return db.transaction(async (tx) => {
    if (clientKey) {
      const again = await tx.query<{ tracking_code: string }>(`SELECT tracking_code FROM work_orders WHERE client_key = $1 AND source = 'resident'`, [clientKey])
      if (again.rows.length) return { trackingCode: again.rows[0].tracking_code, created: false }
    }
    const { gridId, villageId } = await snapToGrid(tx, input.lon, input.lat)
    if (input.phone) await limitPhone()
    if (input.uploadKey) await assertOwnPhotos(tx, input.photoIds, residentUploader(input.uploadKey))
    const code = newTrackingCode()
    const r = await tx.query<{ id: number }>(
      `INSERT INTO work_orders (category, description, source, geom, grid_id, village_id, state, state_since, deadline_at, reporter, reporter_phone, tracking_code, client_key, created_at)
       VALUES ($1, $2, 'resident', ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, 'asked', $7, $8, $9, $10, $11, $12, $7) RETURNING id`,
      [cat.code, input.description, input.lon, input.lat, gridId, villageId, now.toISOString(), deadline(cat, 'asked', now), RESIDENT.username, input.phone ?? '', code, clientKey],
    )
    const id = r.rows[0].id
    await appendHistory(tx, id, 'create', null, 'asked', RESIDENT, now, '', input.photoIds ?? [], { source: 'resident' })
    await announce(tx, id, now)
    return { trackingCode: code, created: true }
  })
}

type Step = Pick<WorkOrderHistoryEntry, 'action' | 'at' | 'note'> & { unit: string | null }
interface StatusRow {
  id: number
  tracking_code: string
  category_name: string
  state: WorkOrderState
  created_at: string
  satisfaction: number | null
  outcome: WorkOrderOutcome | null
  merged_into: number | null
  steps: Step[]
  photo_ids: number[]
}

/**
 * An order's steps as a resident reads them: what happened, when, and the unit that did it
 * (units only: no staff name, login or note); the reply's text for the answer.
 */
const PUBLIC_STEPS = (order: string) => `(SELECT coalesce(json_agg(json_build_object(
     'action', h.action, 'note', CASE WHEN h.action = 'reply' THEN h.note ELSE '' END, 'unit', work_order_actor_unit(h.actor, true),
     'at', to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY h.id), '[]')
   FROM work_order_history h WHERE h.order_id = ${order})`
const publicSteps = (steps: Step[]) => steps.map((s) => ({ label: PUBLIC_STEP_LABELS[s.action], at: s.at, unit: s.unit }))

async function findReport(db: Queryable, code: string): Promise<StatusRow> {
  const r = await db.query<StatusRow>(
    `SELECT o.id, o.tracking_code, c.name AS category_name, o.state, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
            o.satisfaction, o.outcome, o.merged_into, ${PUBLIC_STEPS('o.id')} AS steps,
            (SELECT coalesce(h.photo_ids, '{}') FROM work_order_history h WHERE h.order_id = o.id AND h.action = 'create' ORDER BY h.id LIMIT 1) AS photo_ids
       FROM work_orders o JOIN work_order_categories c ON c.code = o.category
      WHERE o.source = 'resident' AND o.tracking_code = $1`,
    [normalizeTrackingCode(code)],
  )
  if (!r.rows.length) throw new HttpError(404, `report ${code} not found`, 'report_not_found')
  return r.rows[0]
}

/** The order a merged report was merged into, as its reporter may follow it: state and steps. */
async function keptOrder(db: Queryable, id: number): Promise<PublicReportStatus['mergedInto']> {
  const r = await db.query<{ state: WorkOrderState; steps: Step[] }>(`SELECT o.state, ${PUBLIC_STEPS('o.id')} AS steps FROM work_orders o WHERE o.id = $1`, [id])
  return r.rows.length ? { orderId: id, state: r.rows[0].state, steps: publicSteps(r.rows[0].steps) } : null
}

/** The status page: states and times only — no staff names, notes or anyone else's data; the answer addressed to the resident. */
export async function reportStatus(db: Queryable, code: string): Promise<PublicReportStatus> {
  const o = await findReport(db, code)
  // the answer to the handling now: a reopened report's old answer was about work it found undone
  const current = o.steps.slice(o.steps.map((s) => s.action).lastIndexOf('reopen') + 1)
  const reply = [...current].reverse().find((s) => s.action === 'reply')
  return {
    trackingCode: o.tracking_code,
    categoryName: o.category_name,
    state: o.state,
    createdAt: o.created_at,
    steps: publicSteps(o.steps),
    reply: reply?.note || null,
    canRate: o.state === 'replied',
    // her own photos only: the handler's after-photos are staff's, taken at a place that may show people
    photoIds: (o.photo_ids ?? []).map(Number),
    // a reopened order is being redone: its last rating waits for the next one
    satisfaction: o.state === 'closed' ? o.satisfaction : null,
    outcome: o.outcome,
    reopened: o.steps.some((s) => s.action === 'reopen'),
    mergedInto: o.merged_into !== null ? await keptOrder(db, o.merged_into) : null,
  }
}

/** 拍拍板: the resident's rating, once, after the command center's answer; it closes the order. */
export async function rateReport(db: Db, code: string, satisfaction: number, comment: string | undefined, now = new Date()): Promise<PublicReportStatus> {
  await db.transaction(async (tx) => {
    const r = await tx.query<{ id: number; state: WorkOrderState; deadline_at: string }>(
      `SELECT id, state, deadline_at FROM work_orders WHERE source = 'resident' AND tracking_code = $1 FOR UPDATE`, [normalizeTrackingCode(code)])
    if (!r.rows.length) throw new HttpError(404, `report ${code} not found`, 'report_not_found')
    const o = r.rows[0]
    if (o.state === 'closed') throw new HttpError(409, 'this report has been rated already', 'already_rated')
    if (o.state !== 'replied') throw new HttpError(409, 'this report can be rated once it has been answered', 'not_answered')
    const late = new Date(o.deadline_at).getTime() < now.getTime()
    await tx.query(
      `UPDATE work_orders SET state = 'closed', state_since = $2, closed_at = $2, satisfaction = $3, rating_comment = $4, was_overdue = was_overdue OR $5 WHERE id = $1`,
      [o.id, now.toISOString(), satisfaction, comment?.trim() || null, late])
    await appendHistory(tx, o.id, 'rate', 'replied', 'closed', RESIDENT, now, '', [], { satisfaction })
    await announce(tx, o.id, now)
  })
  return reportStatus(db, code)
}

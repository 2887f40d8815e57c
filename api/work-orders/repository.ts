import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { assertVillageInScope, ownTown, scopeCondition, ownVillage } from '../access/scope.ts'
import { assertOwnPhotos } from '../photos/access.ts'
import { can } from '../access/policy.ts'
import { writeAudit } from '../access/audit.ts'
import { maskName, maskPhone } from '../privacy/mask.ts'
import { ORDER_COLUMNS } from './visibility.ts'
import { placeNear } from '../geo/place.ts'
import { AWAITING_DECISION, HANDLER, ratesOnBehalf, refusal } from './policy.ts'
import {
  TRANSITIONS, WORK_ORDER_ACTIONS, type WorkOrder, type WorkOrderAction, type WorkOrderHistoryEntry, type WorkOrderSource, type WorkOrderState,
} from '../../geo/work-orders.ts'

export const WORK_ORDERS_CHANNEL = 'work_orders'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** One order as JSON, built by PostgreSQL so every answer and every NOTIFY says the same. $now is the clock. */
export const orderJson = (now: string) => `json_build_object(
  'id', o.id, 'category', o.category, 'categoryName', (SELECT name FROM work_order_categories WHERE code = o.category),
  'description', o.description, 'source', o.source, 'externalId', o.external_id,
  'lon', ST_X(o.geom), 'lat', ST_Y(o.geom), 'address', o.address,
  'gridId', o.grid_id, 'gridName', (SELECT name FROM grids WHERE id = o.grid_id),
  'villageId', o.village_id, 'villageName', (SELECT name FROM villages WHERE id = o.village_id),
  'state', o.state, 'assigneeVillageId', o.assignee_village_id, 'assigneeDepartmentId', o.assignee_department_id,
  'assigneeName', coalesce((SELECT name FROM villages WHERE id = o.assignee_village_id), (SELECT name FROM departments WHERE id = o.assignee_department_id)),
  'escalationLevel', o.escalation_level, 'stateSince', ${iso('o.state_since')}, 'deadlineAt', ${iso('o.deadline_at')},
  'overdue', o.state <> 'closed' AND o.deadline_at < ${now}, 'wasOverdue', o.was_overdue OR (o.state <> 'closed' AND o.deadline_at < ${now}),
  'reporter', o.reporter, 'satisfaction', o.satisfaction, 'outcome', o.outcome, 'mergedInto', o.merged_into,
  'createdAt', ${iso('o.created_at')}, 'handledAt', ${iso('o.handled_at')}, 'closedAt', ${iso('o.closed_at')})`

const HISTORY_JSON = `json_build_object(
  'id', h.id, 'action', h.action, 'fromState', h.from_state, 'toState', h.to_state, 'actor', h.actor, 'actorRole', h.actor_role,
  -- people read who acted by name and unit (the account as it is now), not by login
  'actorName', (SELECT u.display_name FROM users u WHERE u.username = h.actor), 'actorUnit', work_order_actor_unit(h.actor, false),
  'at', ${iso('h.at')}, 'note', h.note, 'photoIds', to_json(h.photo_ids), 'detail', h.detail)`

export interface Category {
  code: string
  department_id: number | null
  sla_hours: Record<WorkOrderState, number>
}

export async function category(db: Queryable, code: string): Promise<Category> {
  const r = await db.query<Category>(
    'SELECT c.code, d.id AS department_id, c.sla_hours FROM work_order_categories c LEFT JOIN departments d ON d.name = c.department_name WHERE c.code = $1', [code])
  if (!r.rows.length) throw new HttpError(400, `body/category is not a known category (${code})`)
  return r.rows[0]
}

export const deadline = (c: Category, state: WorkOrderState, from: Date) =>
  new Date(from.getTime() + (c.sla_hours[state] ?? 72) * 3_600_000).toISOString()

export interface NewWorkOrder {
  category: string
  description: string
  lon: number
  lat: number
  address?: string
  source?: WorkOrderSource
  externalId?: string
  reporterName?: string
  reporterPhone?: string
  clientKey?: string
  photoIds?: number[]
  /** the dispute the order is filed for (转办, api/disputes): no route takes it from a body */
  disputeId?: number
}

/**
 * A new order in state 'asked', snapped to the grid it lies in. A report sent twice under one
 * clientKey (the phone's offline queue replaying) makes one order: the second call gets the
 * first one back with `created: false`.
 */
export async function createWorkOrder(db: Db, input: NewWorkOrder, user: AuthUser, now = new Date()): Promise<{ order: WorkOrder; created: boolean }> {
  const cat = await category(db, input.category)
  return db.transaction((tx) => fileWorkOrder(tx, cat, input, user, now))
}

/** createWorkOrder within the caller's transaction (a dispute referred to a new order, 转办). */
export async function fileWorkOrder(tx: Queryable, cat: Category, input: NewWorkOrder, user: AuthUser, now: Date): Promise<{ order: WorkOrder; created: boolean }> {
  if (input.clientKey) {
    // a replay is the same user's; someone else's key names someone else's order
    const again = await tx.query<{ id: number; mine: boolean }>('SELECT id, reporter = $2 AS mine FROM work_orders WHERE client_key = $1', [input.clientKey, user.username])
    if (again.rows.length && !again.rows[0].mine) throw new HttpError(409, 'body/clientKey is already used by another order')
    if (again.rows.length) return { order: await getWorkOrder(tx, again.rows[0].id, user, now), created: false }
  }
  const { gridId, villageId } = await snapToGrid(tx, input.lon, input.lat)
  // a grid worker or village cadre reports within their own village
  const mine = ownVillage(user)
  if (mine !== null && mine !== villageId) throw new HttpError(403, `the place (grid ${gridId}) is outside your village`)
  // a town's command center files within its town
  if (mine === null && ownTown(user) !== null) await assertVillageInScope(tx, user, villageId)
  const source: WorkOrderSource = input.source ?? (user.role === 'gridWorker' ? 'gridWorker' : 'center')
  if (input.externalId) {
    // the same external number (a vehicle alert filed twice) within the caller's scope is the
    // same order; one known only outside it is not told: the filing is a new order here
    const params: unknown[] = [source, input.externalId, villageId]
    const same = await tx.query<{ id: number }>(
      `SELECT o.id FROM work_orders o WHERE o.source = $1 AND o.external_id = $2 AND ${scopeCondition(user, ORDER_COLUMNS, params)}
        ORDER BY o.village_id = $3 DESC, o.id LIMIT 1`, params)
    if (same.rows.length) return { order: await getWorkOrder(tx, same.rows[0].id, user, now), created: false }
  }
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO work_orders (category, description, source, external_id, geom, address, grid_id, village_id, state,
                              state_since, deadline_at, reporter, reporter_name, reporter_phone, client_key, created_at, dispute_id)
     VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), $7, $8, $9, 'asked', $10, $11, $12, $13, $14, $15, $10, $16)
     ON CONFLICT DO NOTHING RETURNING id`,
    [cat.code, input.description, source, input.externalId ?? null, input.lon, input.lat, input.address ?? '', gridId, villageId,
      now.toISOString(), deadline(cat, 'asked', now), user.username, input.reporterName ?? '', input.reporterPhone ?? '', input.clientKey ?? null,
      input.disputeId ?? null],
  )
  if (!inserted.rows.length) {
    // the same clientKey or external number racing (numbers are unique per village, within the scope checked above)
    const existing = await tx.query<{ id: number }>(
      'SELECT id FROM work_orders WHERE client_key = $1 OR (source = $2 AND external_id = $3 AND village_id = $4)',
      [input.clientKey ?? null, source, input.externalId ?? null, villageId])
    return { order: await getWorkOrder(tx, existing.rows[0].id, user, now), created: false }
  }
  const id = inserted.rows[0].id
  await assertOwnPhotos(tx, input.photoIds, user)
  await appendHistory(tx, id, 'create', null, 'asked', user, now, '', input.photoIds ?? [], { source })
  await announce(tx, id, now)
  return { order: await getWorkOrder(tx, id, user, now), created: true }
}

/** The grid a place lies in (base grids before exclusive ones); 422 outside every grid. */
export async function snapToGrid(db: Queryable, lon: number, lat: number): Promise<{ gridId: number; villageId: number }> {
  const grid = await db.query<{ id: number; village_id: number }>(
    `SELECT id, village_id FROM grids WHERE retired_at IS NULL AND ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
     ORDER BY kind = 'base' DESC, id LIMIT 1`,
    [lon, lat],
  )
  if (!grid.rows.length) throw new HttpError(422, `body/lon,lat (${lon}, ${lat}) is outside every grid of the township`)
  return { gridId: grid.rows[0].id, villageId: grid.rows[0].village_id }
}

export async function appendHistory(
  tx: Queryable, orderId: number, action: WorkOrderHistoryEntry['action'], from: WorkOrderState | null, to: WorkOrderState,
  actor: { username: string; role: string }, at: Date, note: string, photoIds: number[], detail: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `INSERT INTO work_order_history (order_id, action, from_state, to_state, actor, actor_role, at, note, photo_ids, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::int[], $10::jsonb)`,
    [orderId, action, from, to, actor.username, actor.role, at.toISOString(), note, photoIds, JSON.stringify(detail)],
  )
}

/** Tells every API process (and so every screen in scope) that an order changed; sent on commit. */
export async function announce(tx: Queryable, id: number, now: Date): Promise<void> {
  await tx.query(`SELECT pg_notify('${WORK_ORDERS_CHANNEL}', ${orderJson('$2::timestamptz')}::text) FROM work_orders o WHERE o.id = $1`, [id, now.toISOString()])
}

/**
 * One order with its history, for someone who may see it. The command center also gets the
 * caller's account, masked (a call-back reveals the phone, audited: revealCaller); the people
 * who work orders get the reporter's rating comment.
 */
export async function getWorkOrder(db: Queryable, id: number, user: AuthUser, now = new Date()): Promise<WorkOrder> {
  const params: unknown[] = [id, now.toISOString()]
  const r = await db.query<{ order: WorkOrder; visible: boolean; history: WorkOrderHistoryEntry[]; reporter_name: string; reporter_phone: string; rating_comment: string | null; dispute_id: number | null } & OrderRow>(
    `SELECT ${orderJson('$2::timestamptz')} AS order, ${scopeCondition(user, ORDER_COLUMNS, params)} AS visible,
            -- the dispute it was filed for, opened, or was referred to (api/disputes)
            coalesce(o.dispute_id, (SELECT d.id FROM disputes d WHERE d.source_order_id = o.id), (SELECT min(d.id) FROM disputes d WHERE d.referred_order_id = o.id)) AS dispute_id,
            (SELECT coalesce(json_agg(${HISTORY_JSON} ORDER BY h.id), '[]') FROM work_order_history h WHERE h.order_id = o.id) AS history,
            o.reporter_name, o.reporter_phone, o.rating_comment, o.grid_id, o.village_id, o.assignee_village_id, o.assignee_department_id, o.reporter,
            o.source, o.outcome, ${HANDLER} AS handler, ${AWAITING_DECISION} AS awaiting_decision
       FROM work_orders o WHERE o.id = $1`,
    params,
  )
  if (!r.rows.length) throw notFound(`work order ${id}`)
  const row = r.rows[0]
  if (!row.visible) throw new HttpError(403, `work order ${id} is outside your scope`)
  // the steps this user may take now: what a screen offers as buttons (the server checks again)
  const actions = WORK_ORDER_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(row.order.state) && refusal(user, a, row) === null)
  const order: WorkOrder = { ...row.order, history: row.history, actions }
  if (can(user, 'workOrders.callerAccount') && (row.reporter_name || row.reporter_phone)) {
    order.caller = { name: row.reporter_name ? maskName(row.reporter_name) : '', phone: maskPhone(row.reporter_phone) }
  }
  if (can(user, 'workOrders.act')) order.ratingComment = row.rating_comment
  if (can(user, 'disputes.read')) order.disputeId = row.dispute_id
  // a point with no written address is said as a place, not as longitude and latitude
  if (!order.address) order.place = await placeNear(db, order.lon, order.lat)
  return order
}

/** 回访: the caller's name and phone, unmasked for a call-back, with an audit row. */
export async function revealCaller(db: Queryable, id: number, user: AuthUser, reason: string, ip: string, userAgent: string): Promise<{ name: string; phone: string }> {
  await getWorkOrder(db, id, user)
  const r = await db.query<{ reporter_name: string; reporter_phone: string }>('SELECT reporter_name, reporter_phone FROM work_orders WHERE id = $1', [id])
  const { reporter_name: name, reporter_phone: phone } = r.rows[0]
  if (!name && !phone) throw new HttpError(404, `work order ${id} has no caller to call back`)
  await writeAudit(db, user, { ip, userAgent }, { action: 'callerPhone', workOrderId: id, reason })
  return { name, phone }
}

export interface ActionInput {
  action: WorkOrderAction
  note?: string
  photoIds?: number[]
  villageId?: number
  departmentId?: number
  approve?: boolean
  satisfaction?: number
  /** 合并: the number of the order kept */
  mergeInto?: number
}

export interface OrderRow {
  id: number
  state: WorkOrderState
  category: string
  grid_id: number
  village_id: number
  assignee_village_id: number | null
  assignee_department_id: number | null
  reporter: string
  source: WorkOrderSource
  /** who handled it last (the handling a review judges), null before any handling */
  handler: string | null
  /** 不满意: the latest rating is 1 or 2 and the center has not decided on it (AWAITING_DECISION) */
  awaiting_decision: boolean
  deadline_at: Date | string
  /** 作废 or 合并, once ended so */
  outcome: 'invalid' | 'merged' | null
}

/** One step of the loop: checked against the state machine (409) and the user's role and scope (403). */
export async function actOnWorkOrder(db: Db, id: number, input: ActionInput, user: AuthUser, now = new Date()): Promise<WorkOrder> {
  return db.transaction(async (tx) => {
    const params: unknown[] = [id]
    const r = await tx.query<OrderRow & { visible: boolean }>(
      `SELECT o.id, o.state, o.category, o.grid_id, o.village_id, o.assignee_village_id, o.assignee_department_id, o.reporter, o.deadline_at,
              o.source, o.outcome, ${HANDLER} AS handler, ${AWAITING_DECISION} AS awaiting_decision, ${scopeCondition(user, ORDER_COLUMNS, params)} AS visible
         FROM work_orders o WHERE o.id = $1 FOR UPDATE`,
      params,
    )
    if (!r.rows.length) throw notFound(`work order ${id}`)
    const o = r.rows[0]
    if (!o.visible) throw new HttpError(403, `work order ${id} is outside your scope`)
    const t = TRANSITIONS[input.action]
    if (!t.from.includes(o.state)) {
      throw new HttpError(409, `work order ${id} is ${o.state}; ${input.action} is possible only from ${t.from.join(' or ')}`)
    }
    const denied = refusal(user, input.action, o)
    if (denied) throw new HttpError(403, denied.reason, denied.code)

    let to: WorkOrderState = t.to
    let assigneeVillage = o.assignee_village_id
    let assigneeDepartment = o.assignee_department_id
    const detail: Record<string, unknown> = {}
    if (input.action === 'dispatch' || input.action === 'transfer') {
      if (input.villageId !== undefined && input.departmentId !== undefined) throw new HttpError(400, 'body/departmentId: give villageId or departmentId, not both')
      if (input.action === 'transfer' && input.villageId === undefined && input.departmentId === undefined) {
        throw new HttpError(400, 'body/departmentId (or body/villageId) is required to transfer')
      }
      if (input.departmentId !== undefined) {
        if (!(await tx.query('SELECT 1 FROM departments WHERE id = $1', [input.departmentId])).rows.length) throw new HttpError(400, `body/departmentId is not a known department (${input.departmentId})`)
        assigneeDepartment = input.departmentId
        assigneeVillage = null
      } else {
        const village = input.villageId ?? o.village_id
        if (!(await tx.query('SELECT 1 FROM villages WHERE id = $1', [village])).rows.length) throw new HttpError(400, `body/villageId is not a known village (${village})`)
        // a town's command center sends orders to its own villages (the county's to any)
        if (ownTown(user) !== null) await assertVillageInScope(tx, user, village)
        assigneeVillage = village
        assigneeDepartment = null
      }
      if (input.action === 'transfer' && assigneeVillage === o.assignee_village_id && assigneeDepartment === o.assignee_department_id) {
        throw new HttpError(400, 'body/departmentId: the order is already there')
      }
      Object.assign(detail, { villageId: assigneeVillage, departmentId: assigneeDepartment })
    }
    if (input.action === 'sendBack') {
      // back to the town's command center to dispatch again; the reason is the whole point
      if (!input.note?.trim()) throw new HttpError(400, 'body/note: give the reason for sending the order back')
      Object.assign(detail, o.assignee_department_id !== null ? { departmentId: o.assignee_department_id } : { villageId: o.assignee_village_id })
      assigneeVillage = null
      assigneeDepartment = null
    }
    if (input.action === 'handle' && user.scope.level === 'department') detail.departmentId = user.scope.departmentId
    if (input.action === 'review' && input.approve === false) {
      to = 'dispatched' // sent back to its handler
      detail.approved = false
    }
    if (input.action === 'rate') {
      if (input.satisfaction === undefined) throw new HttpError(400, 'body/satisfaction (1–5) is required to rate')
      detail.satisfaction = input.satisfaction
      // 代评: the center's record of a hotline caller's rating, never to be read as the caller's own click
      if (ratesOnBehalf(o)) detail.onBehalf = true
    }
    let outcome: OrderRow['outcome'] = null
    let mergedInto: number | null = null
    if (input.action === 'reopen' || input.action === 'keep' || input.action === 'invalidate' || input.action === 'merge') {
      // the center's decision on someone's work or report: the reason is the whole point
      const what = { reopen: 'reopening', keep: 'keeping the order closed', invalidate: 'invalidation', merge: 'merge' }[input.action]
      if (!input.note?.trim()) throw new HttpError(400, `body/note: give the reason for the ${what}`)
    }
    if (input.action === 'keep') {
      // 维持办结 changes nothing of the order (its closing, rating and figures stand): the decision is its step
      await appendHistory(tx, id, 'keep', o.state, o.state, user, now, input.note!.trim(), [], {})
      await announce(tx, id, now)
      return getWorkOrder(tx, id, user, now)
    }
    if (input.action === 'reopen') {
      // back to whoever held it when it was closed (a village, or a county department)
      Object.assign(detail, o.assignee_department_id !== null ? { departmentId: o.assignee_department_id } : { villageId: o.assignee_village_id ?? o.village_id })
      assigneeVillage = o.assignee_department_id !== null ? null : (o.assignee_village_id ?? o.village_id)
    }
    if (input.action === 'invalidate') outcome = 'invalid'
    if (input.action === 'merge') {
      mergedInto = await keptOrder(tx, id, input.mergeInto, user)
      outcome = 'merged'
      detail.mergedInto = mergedInto
    }
    await assertOwnPhotos(tx, input.photoIds, user)
    const cat = await category(tx, o.category)
    // an order that will never be handled is not late for it; nor is a closed one reopened (its
    // deadline then was the rating's, which the resident kept)
    const late = outcome === null && o.state !== 'closed' && new Date(o.deadline_at).getTime() < now.getTime()
    await tx.query(
      `UPDATE work_orders SET state = $2, state_since = $3, deadline_at = $4, assignee_village_id = $5, assignee_department_id = $6,
              was_overdue = was_overdue OR $7,
              satisfaction = coalesce($8, satisfaction),
              handled_at = CASE WHEN $2 = 'handled' THEN $3 ELSE handled_at END,
              closed_at = CASE WHEN $2 = 'closed' THEN $3 WHEN state = 'closed' THEN NULL ELSE closed_at END,
              outcome = $9, merged_into = $10,
              -- reopened, it is new work with a new deadline: escalation starts again from there
              escalation_level = CASE WHEN $11 THEN 0 ELSE escalation_level END
        WHERE id = $1`,
      [id, to, now.toISOString(), deadline(cat, to, now), assigneeVillage, assigneeDepartment, late, input.satisfaction ?? null, outcome, mergedInto, input.action === 'reopen'],
    )
    await appendHistory(tx, id, input.action, o.state, to, user, now, input.note ?? '', input.photoIds ?? [], detail)
    await announce(tx, id, now)
    return getWorkOrder(tx, id, user, now)
  })
}

/**
 * 合并: the order a duplicate is merged into, which the caller may see (403 otherwise, 404
 * unknown) and which is itself kept (not 作废 or merged: a resident following the chain would
 * end nowhere).
 */
async function keptOrder(tx: Queryable, id: number, into: number | undefined, user: AuthUser): Promise<number> {
  if (into === undefined) throw new HttpError(400, 'body/mergeInto: give the number of the order to merge this one into')
  if (into === id) throw new HttpError(400, 'body/mergeInto: an order is not merged into itself')
  const params: unknown[] = [into]
  const r = await tx.query<{ outcome: string | null; visible: boolean }>(
    `SELECT o.outcome, ${scopeCondition(user, ORDER_COLUMNS, params)} AS visible FROM work_orders o WHERE o.id = $1`, params)
  if (!r.rows.length) throw new HttpError(404, `body/mergeInto: work order ${into} not found`, 'merge_target_not_found')
  if (!r.rows[0].visible) throw new HttpError(403, `body/mergeInto: work order ${into} is outside your scope`)
  if (r.rows[0].outcome) throw new HttpError(409, `body/mergeInto: work order ${into} ended as ${r.rows[0].outcome}; merge into the order kept`, 'merge_target_ended')
  return into
}

const SYSTEM = { username: 'system', role: 'system' }

/**
 * Overdue orders (the deadline of their state has passed) are marked late; one still not
 * handled is raised to the town's command center, and once it is overdue by another full
 * period, to the county department responsible for its category (吹哨报到). Runs every
 * minute on every process; the row lock makes each step happen once. `now` is the clock
 * (tests move it).
 */
export async function escalateOverdue(db: Db, now = new Date()): Promise<number> {
  const due = await db.query<{ id: number }>(
    `SELECT id FROM work_orders WHERE state <> 'closed' AND deadline_at < $1 AND (NOT was_overdue OR (state IN ('dispatched', 'transferred') AND escalation_level < 2))
     ORDER BY deadline_at LIMIT 500`,
    [now.toISOString()],
  )
  let steps = 0
  for (const { id } of due.rows) {
    steps += await db.transaction(async (tx) => {
      const r = await tx.query<OrderRow & { escalation_level: number; state_since: Date | string; department_id: number | null; sla: number; was_overdue: boolean }>(
        `SELECT o.*, d.id AS department_id, (c.sla_hours ->> o.state)::float8 AS sla
           FROM work_orders o JOIN work_order_categories c ON c.code = o.category LEFT JOIN departments d ON d.name = c.department_name
          WHERE o.id = $1 FOR UPDATE OF o`,
        [id],
      )
      const o = r.rows[0]
      if (!o || o.state === 'closed' || new Date(o.deadline_at).getTime() >= now.getTime()) return 0
      const open = o.state === 'dispatched' || o.state === 'transferred'
      const overBy = now.getTime() - new Date(o.deadline_at).getTime()
      let level = o.escalation_level
      if (open && level === 0) level = 1
      else if (open && level === 1 && overBy >= o.sla * 3_600_000 && o.department_id !== null) level = 2
      if (level === o.escalation_level) {
        if (o.was_overdue) return 0
        await tx.query('UPDATE work_orders SET was_overdue = true WHERE id = $1', [id])
        await announce(tx, id, now)
        return 1
      }
      const toCounty = level === 2
      await tx.query(
        `UPDATE work_orders SET was_overdue = true, escalation_level = $2,
                state = CASE WHEN $3 THEN 'transferred' ELSE state END,
                assignee_department_id = CASE WHEN $3 THEN $4 ELSE assignee_department_id END,
                assignee_village_id = CASE WHEN $3 THEN NULL ELSE assignee_village_id END,
                -- the department gets a full period of its own
                deadline_at = CASE WHEN $3 THEN $5 ELSE deadline_at END,
                state_since = CASE WHEN $3 THEN $6 ELSE state_since END
          WHERE id = $1`,
        [id, level, toCounty, o.department_id, new Date(now.getTime() + o.sla * 3_600_000).toISOString(), now.toISOString()],
      )
      const note = toCounty ? '超期未办结，吹哨报到：提级至县职能部门' : '超期未办结，提级至镇指挥中心督办'
      await appendHistory(tx, id, 'escalate', o.state, toCounty ? 'transferred' : o.state, SYSTEM, now, note, [], { level, departmentId: toCounty ? o.department_id : undefined })
      await announce(tx, id, now)
      return 1
    })
  }
  return steps
}

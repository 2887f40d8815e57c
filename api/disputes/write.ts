import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError } from '../http/errors.ts'
import { assertGridInScope, scopeCondition } from '../access/scope.ts'
import { ORDER_COLUMNS } from '../work-orders/visibility.ts'
import { category, fileWorkOrder } from '../work-orders/repository.ts'
import { DISPUTE_COLUMNS, getDispute } from './read.ts'
import { stepRefusal } from './rules.ts'
import { STAGE_LABELS, type Dispute, type DisputeOutcome, type DisputeParty, type DisputeStage } from '../../geo/disputes.ts'

export interface NewDispute {
  gridId: number
  type: string
  summary: string
  parties?: DisputeParty[]
  /** the work order it comes from (a 矛盾纠纷 order opens one by itself; this names any other) */
  sourceOrderId?: number
  clientKey?: string
}

async function appendStep(
  tx: Queryable, id: number, user: Pick<AuthUser, 'username' | 'role'>, at: Date,
  step: { stage: DisputeStage; outcome?: DisputeOutcome | null; mediator?: string; note?: string; detail?: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    `INSERT INTO dispute_history (dispute_id, at, actor, actor_role, stage, outcome, mediator, note, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    [id, at.toISOString(), user.username, user.role, step.stage, step.outcome ?? null, step.mediator ?? '', step.note ?? '', JSON.stringify(step.detail ?? {})])
}

/**
 * 受理: a dispute registered in a grid of the user's scope. Sent twice under one clientKey (the
 * phone's outbox replaying) it is one dispute: `created: false` the second time.
 */
export async function createDispute(db: Db, input: NewDispute, user: AuthUser, now = new Date()): Promise<{ id: number; created: boolean }> {
  return db.transaction(async (tx) => {
    if (input.clientKey) {
      const again = await tx.query<{ id: number; mine: boolean }>('SELECT id, reporter = $2 AS mine FROM disputes WHERE client_key = $1', [input.clientKey, user.username])
      if (again.rows.length && !again.rows[0].mine) throw new HttpError(409, 'body/clientKey is already used by another dispute')
      if (again.rows.length) return { id: again.rows[0].id, created: false }
    }
    const grid = (await tx.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM grids WHERE id = $1', [input.gridId])).rows[0]
    if (!grid) throw new HttpError(400, `body/gridId is not a known grid (${input.gridId})`)
    if (grid.retired) throw new HttpError(400, `body/gridId: grid ${input.gridId} was retired (merged or split)`)
    await assertGridInScope(tx, user, input.gridId)
    if (input.sourceOrderId !== undefined) {
      const params: unknown[] = [input.sourceOrderId]
      const o = (await tx.query<{ grid_id: number; visible: boolean; dispute: number | null }>(
        `SELECT o.grid_id, ${scopeCondition(user, ORDER_COLUMNS, params)} AS visible,
                coalesce(o.dispute_id, (SELECT d.id FROM disputes d WHERE d.source_order_id = o.id)) AS dispute
           FROM work_orders o WHERE o.id = $1`, params)).rows[0]
      if (!o) throw new HttpError(400, `body/sourceOrderId is not a known work order (${input.sourceOrderId})`)
      if (!o.visible) throw new HttpError(403, `body/sourceOrderId: work order ${input.sourceOrderId} is outside your scope`)
      if (o.dispute !== null) {
        throw new HttpError(409, `body/sourceOrderId: work order ${input.sourceOrderId} already has dispute ${o.dispute}`, 'order_has_dispute', { disputeId: o.dispute })
      }
      if (o.grid_id !== input.gridId) throw new HttpError(400, `body/gridId: work order ${input.sourceOrderId} lies in grid ${o.grid_id}`)
    }
    const r = await tx.query<{ id: number }>(
      `INSERT INTO disputes (grid_id, reported_at, type, summary, parties, reporter, stage, stage_since, source_order_id, client_key, geom)
       -- at the order's place, or the grid's label point
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'accepted', $2, $7, $8,
               coalesce((SELECT geom FROM work_orders WHERE id = $7), (SELECT label_point FROM grids WHERE id = $1)))
       ON CONFLICT DO NOTHING RETURNING id`,
      [input.gridId, now.toISOString(), input.type, input.summary, JSON.stringify(input.parties ?? []), user.username, input.sourceOrderId ?? null, input.clientKey ?? null])
    if (!r.rows.length) {
      // the same clientKey, or another dispute for the same order, committed meanwhile
      const existing = await tx.query<{ id: number; mine: boolean }>(
        'SELECT id, reporter = $3 AS mine FROM disputes WHERE client_key = $1 OR source_order_id = $2', [input.clientKey ?? null, input.sourceOrderId ?? null, user.username])
      if (!existing.rows[0]?.mine) throw new HttpError(409, 'body/clientKey or body/sourceOrderId: another dispute has it')
      return { id: existing.rows[0].id, created: false }
    }
    const id = r.rows[0].id
    await appendStep(tx, id, user, now, { stage: 'accepted', detail: input.sourceOrderId !== undefined ? { sourceOrderId: input.sourceOrderId } : {} })
    return { id, created: true }
  })
}

export interface DisputeStep {
  stage: DisputeStage
  mediator?: string
  outcome?: DisputeOutcome
  note?: string
  /** a dispute's type as mediation found it (one opened by a work order starts as 其他) */
  type?: string
  /** 转办: to an existing work order, to a new one (category 矛盾纠纷, at the dispute's place), or to a department */
  referToOrderId?: number
  referToNewOrder?: boolean
  referToDepartmentId?: number
}

/** The fields of a step that only a closing as 转办 takes, and which one this step gives. */
function referral(input: DisputeStep): 'order' | 'newOrder' | 'department' | null {
  const given = ([['referToOrderId', 'order'], ['referToNewOrder', 'newOrder'], ['referToDepartmentId', 'department']] as const)
    .filter(([k]) => input[k] !== undefined && input[k] !== false)
  if (input.outcome !== 'referred') {
    if (given.length) throw new HttpError(400, `body/${given[0][0]}: only a dispute closed as referred (转办) is referred somewhere`)
    return null
  }
  if (given.length !== 1) throw new HttpError(400, 'body/referToOrderId: a referral (转办) names one of referToOrderId, referToNewOrder or referToDepartmentId')
  return given[0][1]
}

/** One step: 409 against the stage machine, 403 against the role and scope, 400 naming a field. */
export async function stepDispute(db: Db, id: number, input: DisputeStep, user: AuthUser, now = new Date()): Promise<Dispute> {
  return db.transaction(async (tx) => {
    const params: unknown[] = [id]
    const r = await tx.query<{ stage: DisputeStage; mediator: string; type: string; summary: string; lon: number; lat: number; visible: boolean }>(
      `SELECT d.stage, d.mediator, d.type, d.summary, ST_X(d.geom) AS lon, ST_Y(d.geom) AS lat,
              ${scopeCondition(user, DISPUTE_COLUMNS, params)} AS visible
         FROM disputes d JOIN grids g ON g.id = d.grid_id WHERE d.id = $1 FOR UPDATE OF d`, params)
    const d = r.rows[0]
    if (!d) throw new HttpError(404, `dispute ${id} not found`)
    if (!d.visible) throw new HttpError(403, `dispute ${id} is outside your scope`)
    const refused = stepRefusal(user, id, d.stage, input.stage)
    if (refused) throw new HttpError(refused.status, refused.reason, refused.code)

    const closing = input.stage === 'closed'
    if (closing && !input.outcome) throw new HttpError(400, 'body/outcome is required to close a dispute (resolved, unresolved or referred)')
    if (!closing && input.outcome) throw new HttpError(400, 'body/outcome: only a closing step (stage closed) has an outcome')
    const to = referral(input)
    const moving = input.stage !== d.stage
    const mediator = input.mediator?.trim() || (moving && !closing ? '' : d.mediator)
    if (moving && !closing && !mediator) throw new HttpError(400, `body/mediator: name who mediates at ${STAGE_LABELS[input.stage]}`)
    const note = input.note?.trim() ?? ''
    if (!moving && !note) throw new HttpError(400, 'body/note: say what progressed (the dispute stays at its stage)')

    const detail: Record<string, unknown> = { from: d.stage }
    if (input.type !== undefined && input.type !== d.type) detail.type = { from: d.type, to: input.type }
    let referredOrder: number | null = null
    let referredDepartment: number | null = null
    if (to === 'order') {
      const p: unknown[] = [input.referToOrderId]
      const o = (await tx.query<{ visible: boolean }>(`SELECT ${scopeCondition(user, ORDER_COLUMNS, p)} AS visible FROM work_orders o WHERE o.id = $1`, p)).rows[0]
      if (!o) throw new HttpError(400, `body/referToOrderId is not a known work order (${input.referToOrderId})`)
      if (!o.visible) throw new HttpError(403, `body/referToOrderId: work order ${input.referToOrderId} is outside your scope`)
      referredOrder = input.referToOrderId!
    } else if (to === 'newOrder') {
      const description = `【纠纷转办】${input.type ?? d.type}：${d.summary}${note ? `。${note}` : ''}`.slice(0, 2000)
      const { order } = await fileWorkOrder(tx, await category(tx, 'dispute'), { category: 'dispute', description, lon: d.lon, lat: d.lat, disputeId: id }, user, now)
      referredOrder = order.id
    } else if (to === 'department') {
      if (!(await tx.query('SELECT 1 FROM departments WHERE id = $1', [input.referToDepartmentId])).rows.length) {
        throw new HttpError(400, `body/referToDepartmentId is not a known department (${input.referToDepartmentId})`)
      }
      referredDepartment = input.referToDepartmentId!
    }
    if (referredOrder !== null) detail.orderId = referredOrder
    if (referredDepartment !== null) detail.departmentId = referredDepartment

    await tx.query(
      `UPDATE disputes SET stage = $2, outcome = $3, mediator = $4, type = $5,
              stage_since = CASE WHEN stage <> $2 THEN $6::timestamptz ELSE stage_since END,
              resolved_at = CASE WHEN $2 = 'closed' THEN $6::timestamptz ELSE resolved_at END,
              referred_order_id = $7, referred_department_id = $8
        WHERE id = $1`,
      [id, input.stage, input.outcome ?? null, mediator, input.type ?? d.type, now.toISOString(), referredOrder, referredDepartment])
    await appendStep(tx, id, user, now, { stage: input.stage, outcome: input.outcome ?? null, mediator, note, detail })
    return getDispute(tx, id, user)
  })
}

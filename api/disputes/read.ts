import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { scopeCondition, type ScopeColumns } from '../access/scope.ts'
import { maskName, maskPhone } from '../privacy/mask.ts'
import { stepsFor } from './rules.ts'
import { DISPUTE_STAGES, type Dispute, type DisputeHistoryEntry, type DisputeList, type DisputeOutcome, type DisputeParty, type DisputeStage } from '../../geo/disputes.ts'

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * Who may see a dispute (`d`, its grid joined as `g`): town-wide roles all; a cadre her
 * village's; a grid worker her grid's and those she registered elsewhere in her village.
 */
export const DISPUTE_COLUMNS: ScopeColumns = { village: 'g.village_id', grid: 'd.grid_id', owner: 'd.reporter' }

/** One dispute as JSON, built by PostgreSQL; the parties are masked in TypeScript (parties_raw). */
const DISPUTE_JSON = `json_build_object(
  'id', d.id, 'gridId', d.grid_id, 'gridName', g.name, 'villageId', g.village_id, 'villageName', (SELECT name FROM villages WHERE id = g.village_id),
  'type', d.type, 'summary', d.summary, 'stage', d.stage, 'outcome', d.outcome, 'mediator', d.mediator, 'reporter', d.reporter,
  'reportedAt', ${iso('d.reported_at')}, 'stageSince', ${iso('d.stage_since')}, 'closedAt', ${iso('d.resolved_at')},
  'sourceOrderId', d.source_order_id, 'referredOrderId', d.referred_order_id, 'referredDepartmentId', d.referred_department_id,
  'referredDepartmentName', (SELECT name FROM departments WHERE id = d.referred_department_id))`

const HISTORY_JSON = `json_build_object(
  'id', h.id, 'at', ${iso('h.at')}, 'actor', h.actor, 'actorRole', h.actor_role, 'stage', h.stage, 'outcome', h.outcome,
  'mediator', h.mediator, 'note', h.note, 'detail', h.detail)`

type Row = { dispute: Omit<Dispute, 'parties' | 'unmasked'>; parties_raw: DisputeParty[] }

/** the parties as a staff reader sees them (张*三, 138****1234), or in full for an audited unmask */
function withParties(row: Row, unmask: boolean): Dispute {
  // a resident's report names no one: its party is a phone alone
  const parties = (row.parties_raw ?? []).map((p) => (unmask ? { name: p.name, phone: p.phone ?? '' } : { name: p.name ? maskName(p.name) : '', phone: maskPhone(p.phone ?? '') }))
  return { ...row.dispute, parties, unmasked: unmask }
}

/** One dispute with its history and the steps the user may take: 404 unknown, 403 outside the user's scope. */
export async function getDispute(db: Queryable, id: number, user: AuthUser, opts: { unmask?: boolean } = {}): Promise<Dispute> {
  const params: unknown[] = [id]
  const r = await db.query<Row & { visible: boolean; history: DisputeHistoryEntry[] }>(
    `SELECT ${DISPUTE_JSON} AS dispute, d.parties AS parties_raw, ${scopeCondition(user, DISPUTE_COLUMNS, params)} AS visible,
            (SELECT coalesce(json_agg(${HISTORY_JSON} ORDER BY h.id), '[]') FROM dispute_history h WHERE h.dispute_id = d.id) AS history
       FROM disputes d JOIN grids g ON g.id = d.grid_id WHERE d.id = $1`,
    params,
  )
  if (!r.rows.length) throw notFound(`dispute ${id}`)
  const row = r.rows[0]
  if (!row.visible) throw new HttpError(403, `dispute ${id} is outside your scope`)
  return { ...withParties(row, opts.unmask === true), history: row.history, actions: stepsFor(user, id, row.dispute.stage) }
}

export interface DisputeFilter {
  village?: number
  grid?: number
  stage?: DisputeStage
  /** 1: open disputes only (not closed) */
  open?: number
  outcome?: DisputeOutcome
  type?: string
  /** words in the summary, or a dispute's number */
  q?: string
  from?: string
  to?: string
  before?: number
  limit: number
}

/** Newest first, keyset-paged on the id, within the user's scope (the caller checked named villages and grids). */
export async function listDisputes(db: Queryable, user: AuthUser, f: DisputeFilter): Promise<DisputeList> {
  const params: unknown[] = []
  const bind = (v: unknown) => `$${params.push(v)}`
  const where = [scopeCondition(user, DISPUTE_COLUMNS, params)]
  if (f.village !== undefined) where.push(`g.village_id = ${bind(f.village)}::int`)
  if (f.grid !== undefined) where.push(`d.grid_id = ${bind(f.grid)}::int`)
  if (f.type !== undefined) where.push(`d.type = ${bind(f.type)}`)
  // dates are Beijing days, as the desk shows them
  if (f.from !== undefined) where.push(`d.reported_at >= (${bind(f.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`)
  if (f.to !== undefined) where.push(`d.reported_at < ((${bind(f.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`)
  const q = f.q?.trim()
  if (q) {
    const number = /^#?(\d{1,9})$/.exec(q)
    where.push(number ? `d.id = ${bind(Number(number[1]))}::int` : `d.summary ILIKE ${bind(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`)
  }
  // the tabs' counts: the filters so far, every stage
  const counted = await db.query<{ stage: DisputeStage; n: number }>(
    `SELECT d.stage, count(*)::int AS n FROM disputes d JOIN grids g ON g.id = d.grid_id WHERE ${where.join(' AND ')} GROUP BY d.stage`, params)
  const counts = Object.fromEntries(DISPUTE_STAGES.map((s) => [s, counted.rows.find((c) => c.stage === s)?.n ?? 0])) as Record<DisputeStage, number>

  if (f.stage !== undefined) where.push(`d.stage = ${bind(f.stage)}`)
  if (f.open === 1) where.push(`d.stage <> 'closed'`)
  if (f.outcome !== undefined) where.push(`d.outcome = ${bind(f.outcome)}`)
  if (f.before !== undefined) where.push(`d.id < ${bind(f.before)}::int`)
  const r = await db.query<Row>(
    `SELECT ${DISPUTE_JSON} AS dispute, d.parties AS parties_raw FROM disputes d JOIN grids g ON g.id = d.grid_id
      WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT ${bind(f.limit + 1)}::int`, params)
  const items = r.rows.slice(0, f.limit).map((row) => withParties(row, false))
  return { items, next: r.rows.length > f.limit ? items[items.length - 1].id : null, counts }
}

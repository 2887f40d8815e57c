import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { scopeCondition } from '../access/scope.ts'
import { INBOX_TABS, type InboxTab, type WallWorkOrder, type WorkOrder, type WorkOrderSource, type WorkOrderState } from '../../geo/work-orders.ts'
import { orderJson } from './repository.ts'
import { asWall, wallOrderJson } from './wall-order.ts'
import { tabCondition } from './policy.ts'
import { ORDER_COLUMNS } from './visibility.ts'

export interface WorkOrderFilter {
  /** an inbox tab: what waits for the user (default: every order they may see) */
  tab?: InboxTab
  townId?: number
  villageId?: number
  gridId?: number
  state?: WorkOrderState
  category?: string
  source?: WorkOrderSource
  overdue?: boolean
  /** not closed yet */
  open?: boolean
  /** reported at or after / before (ISO) */
  from?: string
  to?: string
  /** words in the description or address, an order number or a hotline number */
  q?: string
  /** orders with a smaller id than this (keyset paging, newest first) */
  before?: number
  limit: number
}

/** LIKE pattern with the user's text taken literally */
const contains = (q: string) => '%' + q.replace(/[\\%_]/g, (c) => '\\' + c) + '%'

/** The orders the user may see that match the filter, newest first; a wall gets them without free text (wall-order.ts). */
export async function listWorkOrders(db: Queryable, f: WorkOrderFilter, user: AuthUser, now = new Date()): Promise<WorkOrder[] | WallWorkOrder[]> {
  const wall = asWall(user)
  const params: unknown[] = [f.limit, now.toISOString()]
  const bind = (v: unknown) => `$${params.push(v)}`
  const where = [scopeCondition(user, ORDER_COLUMNS, params), tabCondition(user, f.tab ?? 'all', params, now.toISOString())]
  if (f.townId !== undefined) where.push(`o.village_id IN (SELECT id FROM villages WHERE town_id = ${bind(f.townId)}::int)`)
  if (f.villageId !== undefined) where.push(`o.village_id = ${bind(f.villageId)}::int`)
  if (f.gridId !== undefined) where.push(`o.grid_id = ${bind(f.gridId)}::int`)
  if (f.state !== undefined) where.push(`o.state = ${bind(f.state)}`)
  if (f.category !== undefined) where.push(`o.category = ${bind(f.category)}`)
  if (f.source !== undefined) where.push(`o.source = ${bind(f.source)}`)
  if (f.overdue !== undefined) where.push(`${bind(f.overdue)}::boolean = (o.state <> 'closed' AND o.deadline_at < $2::timestamptz)`)
  if (f.open !== undefined) where.push(`${bind(f.open)}::boolean = (o.state <> 'closed')`)
  if (f.from !== undefined) where.push(`o.created_at >= ${bind(f.from)}::timestamptz`)
  if (f.to !== undefined) where.push(`o.created_at < ${bind(f.to)}::timestamptz`)
  if (f.before !== undefined) where.push(`o.id < ${bind(f.before)}::int`)
  if (f.q) {
    const q = f.q.trim()
    const asId = /^\d{1,9}$/.test(q) ? ` OR o.id = ${bind(Number(q))}::int` : ''
    // a wall finds an order by its number only: words it is not shown would be an oracle for them
    if (wall) where.push(`(FALSE${asId})`)
    else {
      const text = bind(contains(q))
      where.push(`(o.description LIKE ${text} OR o.address LIKE ${text} OR o.external_id = ${bind(q)}${asId})`)
    }
  }
  const r = await db.query<{ order: WorkOrder }>(
    `SELECT ${wall ? wallOrderJson('$2::timestamptz') : orderJson('$2::timestamptz')} AS order FROM work_orders o WHERE ${where.join(' AND ')} ORDER BY o.id DESC LIMIT $1`,
    params,
  )
  return r.rows.map((row) => row.order)
}

/** How many orders wait in each tab for this user (the desk's tab badges), in one pass. */
export async function inboxCounts(db: Queryable, user: AuthUser, now = new Date()): Promise<Record<InboxTab, number>> {
  const params: unknown[] = []
  const visible = scopeCondition(user, ORDER_COLUMNS, params)
  const counts = INBOX_TABS.map((tab) => `count(*) FILTER (WHERE ${tabCondition(user, tab, params, now.toISOString())})::int AS "${tab}"`)
  const r = await db.query<Record<InboxTab, number>>(`SELECT ${counts.join(', ')} FROM work_orders o WHERE ${visible}`, params)
  return r.rows[0]
}

import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { can } from '../access/policy.ts'
import { scopeCondition } from '../access/scope.ts'
import { HttpError, notFound } from '../http/errors.ts'
import type { WallHistoryEntry, WallWorkOrder } from '../../geo/work-orders.ts'
import { ORDER_COLUMNS } from './visibility.ts'

// An order as a wall (a role without 'freeText.read', see api/access/wall-view.ts) gets it, built
// by PostgreSQL like the full one (repository.ts orderJson): what the wall shows (category,
// state, place by grid and village, deadlines, the steps and when), and none of the free text
// staff and residents write (description, address, notes), nor who reported or acted. An order
// of a sensitive category (work_order_categories.sensitive: a 低保 request, a family dispute)
// is placed at its grid's label point (`approximate`), and its steps carry no photos.

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
/** whether the order `o` is of a sensitive category */
export const SENSITIVE = `coalesce((SELECT c.sensitive FROM work_order_categories c WHERE c.code = o.category), false)`
/** the order's point as a wall may see it */
export const WALL_POINT = `CASE WHEN ${SENSITIVE} THEN (SELECT g.label_point FROM grids g WHERE g.id = o.grid_id) ELSE o.geom END`

export const wallOrderJson = (now: string) => `json_build_object(
  'id', o.id, 'category', o.category, 'categoryName', (SELECT name FROM work_order_categories WHERE code = o.category), 'source', o.source,
  'lon', ST_X(${WALL_POINT}), 'lat', ST_Y(${WALL_POINT}), 'approximate', ${SENSITIVE},
  'gridId', o.grid_id, 'gridName', (SELECT name FROM grids WHERE id = o.grid_id),
  'villageId', o.village_id, 'villageName', (SELECT name FROM villages WHERE id = o.village_id),
  'state', o.state, 'assigneeVillageId', o.assignee_village_id, 'assigneeDepartmentId', o.assignee_department_id,
  'assigneeName', coalesce((SELECT name FROM villages WHERE id = o.assignee_village_id), (SELECT name FROM departments WHERE id = o.assignee_department_id)),
  'escalationLevel', o.escalation_level, 'stateSince', ${iso('o.state_since')}, 'deadlineAt', ${iso('o.deadline_at')},
  'overdue', o.state <> 'closed' AND o.deadline_at < ${now}, 'wasOverdue', o.was_overdue OR (o.state <> 'closed' AND o.deadline_at < ${now}),
  'satisfaction', o.satisfaction, 'outcome', o.outcome, 'mergedInto', o.merged_into,
  'createdAt', ${iso('o.created_at')}, 'handledAt', ${iso('o.handled_at')}, 'closedAt', ${iso('o.closed_at')})`

/** the steps of `o` as a wall sees them: what happened and when; photos only of orders that are not sensitive */
export const WALL_HISTORY = `(SELECT coalesce(json_agg(json_build_object(
    'id', h.id, 'action', h.action, 'fromState', h.from_state, 'toState', h.to_state, 'at', ${iso('h.at')},
    'photoIds', CASE WHEN ${SENSITIVE} THEN '[]'::json ELSE to_json(h.photo_ids) END) ORDER BY h.id), '[]')
  FROM work_order_history h WHERE h.order_id = o.id)`

/** whether this user gets orders as a wall does */
export const asWall = (user: Pick<AuthUser, 'role'>): boolean => !can(user, 'freeText.read')

/** One order as a wall gets it (a push to the walls reads it again, as REST does); null if gone. */
export async function wallOrder(db: Queryable, id: number, now = new Date()): Promise<WallWorkOrder | null> {
  const r = await db.query<{ order: WallWorkOrder }>(`SELECT ${wallOrderJson('$2::timestamptz')} AS order FROM work_orders o WHERE o.id = $1`, [id, now.toISOString()])
  return r.rows[0]?.order ?? null
}

/** One order with its steps as a wall gets it in the same scope as getWorkOrder (repository.ts). */
export async function getWallWorkOrder(db: Queryable, id: number, user: AuthUser, now = new Date()): Promise<WallWorkOrder> {
  const params: unknown[] = [id, now.toISOString()]
  const r = await db.query<{ order: WallWorkOrder; visible: boolean; history: WallHistoryEntry[] }>(
    `SELECT ${wallOrderJson('$2::timestamptz')} AS order, ${scopeCondition(user, ORDER_COLUMNS, params)} AS visible, ${WALL_HISTORY} AS history
       FROM work_orders o WHERE o.id = $1`,
    params,
  )
  if (!r.rows.length) throw notFound(`work order ${id}`)
  if (!r.rows[0].visible) throw new HttpError(403, `work order ${id} is outside your scope`)
  return { ...r.rows[0].order, history: r.rows[0].history }
}

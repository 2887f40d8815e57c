import type { AuthUser } from '../auth/roles.ts'
import type { InboxTab, WorkOrderAction } from '../../geo/work-orders.ts'
import type { OrderRow } from './repository.ts'

/** who handled an order (`o`) last: the handling a review passes or sends back */
export const HANDLER = `(SELECT h.actor FROM work_order_history h WHERE h.order_id = o.id AND h.action = 'handle' ORDER BY h.id DESC LIMIT 1)`

/**
 * 不满意 (`o`): its latest rating is 1 or 2 and the center has not decided on it since — neither
 * 重办 (reopen) nor 维持办结 (keep). A new low rating after a reopening asks again.
 */
export const AWAITING_DECISION = `(o.satisfaction <= 2 AND (SELECT h.action FROM work_order_history h WHERE h.order_id = o.id
  AND h.action IN ('rate', 'reopen', 'keep') ORDER BY h.id DESC LIMIT 1) = 'rate')`

type Relation = Pick<OrderRow, 'grid_id' | 'village_id' | 'assignee_village_id' | 'assignee_department_id' | 'reporter' | 'source' | 'handler' | 'outcome' | 'awaiting_decision'>

/** Why a step is refused: said to people, and a code for the refusals a screen tells apart. */
export interface Refusal {
  reason: string
  code?: 'reviewer_is_handler' | 'rated_by_resident' | 'rated_by_reporter' | 'order_ended' | 'not_a_public_report' | 'not_awaiting_decision'
}

/**
 * Who may take which step of the loop on an order, by role and by how the order relates to
 * them (which orders they may see at all is ORDER_COLUMNS). Duties are separated: whoever
 * handled an order (its last handling, the one under review) does not review it; a resident's
 * report is rated by the resident on the public page only; the command center rates for a
 * hotline caller (代评, from the call-back) and nothing else it did not report itself.
 */
export function refusal(user: AuthUser, action: WorkOrderAction, o: Relation): Refusal | null {
  const center = user.role === 'admin' || user.role === 'dispatcher'
  const leader = user.role === 'leader'
  const cadreOfAssignee = user.role === 'villageCadre' && o.assignee_village_id !== null && user.villageId === o.assignee_village_id
  const departmentOfAssignee = user.scope.level === 'department' && o.assignee_department_id === user.scope.departmentId
  const no = (reason: string, code?: Refusal['code']): Refusal => ({ reason, code })
  switch (action) {
    case 'dispatch':
      return center || leader ? null : no(`role ${user.role} may not ${action} work orders`)
    case 'review':
      if (!center && !leader) return no(`role ${user.role} may not ${action} work orders`)
      return o.handler === user.username ? no('you handled this order; another person reviews it', 'reviewer_is_handler') : null
    case 'transfer':
      return center || leader || cadreOfAssignee ? null : no(`only the command center or the assigned village may transfer this order`)
    case 'handle': {
      const workerOfGrid = user.role === 'gridWorker' && o.assignee_village_id === o.village_id && user.gridId === o.grid_id
      return center || cadreOfAssignee || workerOfGrid || departmentOfAssignee ? null : no(`only the assigned village (or its grid worker) or department may handle this order`)
    }
    case 'sendBack':
      return cadreOfAssignee || departmentOfAssignee ? null : no(`only the village or department the order was sent to may send it back`)
    case 'reply':
      return center ? null : no(`role ${user.role} may not reply to reporters`)
    case 'rate':
      if (o.source === 'resident') return no("a resident's report is rated by the resident, on the public page (拍拍板)", 'rated_by_resident')
      // a hotline caller has no account: the center records her rating from the call-back (代评)
      if (o.source === 'hotline') return center ? null : no("only the command center rates for a hotline caller (代评)", 'rated_by_reporter')
      return user.username === o.reporter ? null : no('only the reporter rates this order', 'rated_by_reporter')
    case 'reopen':
      // 重办: the center's decision on a closed order (a resident unhappy with it); one that was
      // 作废 or 合并 was never handled, so there is no handler to take it back
      if (!center) return no(`role ${user.role} may not reopen work orders`)
      return o.outcome ? no(`this order ended as ${o.outcome}; only a handled order is reopened`, 'order_ended') : null
    case 'keep':
      // 维持办结: the center's other answer to a low rating (the work was done; the resident was told why)
      if (!center) return no(`role ${user.role} may not keep work orders closed`)
      return o.awaiting_decision ? null : no('only a closed order whose latest rating is 1 or 2, not yet decided on, is kept closed', 'not_awaiting_decision')
    case 'invalidate':
    case 'merge':
      // spam and duplicates come from outside: residents' reports and hotline calls
      if (!center) return no(`role ${user.role} may not ${action} work orders`)
      return o.source === 'resident' || o.source === 'hotline' ? null : no(`only residents' reports and hotline orders are ${action === 'merge' ? 'merged' : 'invalidated'}; send the order back instead`, 'not_a_public_report')
  }
}

/** The rating the center records for a hotline caller (代评), marked so on the rating step. */
export const ratesOnBehalf = (o: Pick<OrderRow, 'source'>) => o.source === 'hotline'

/**
 * What waits for this user in each inbox tab, as a condition on `o` (bound into `params`).
 * 待办理 is what the user's own village, grid or department holds; the command center and the
 * leaders oversee every order being handled.
 */
export function tabCondition(user: AuthUser, tab: InboxTab, params: unknown[], now: string): string {
  const bind = (v: unknown) => `$${params.push(v)}`
  switch (tab) {
    case 'toDispatch':
      return `o.state = 'asked'`
    case 'toHandle': {
      const handling = `o.state IN ('dispatched', 'transferred')`
      const s = user.scope
      if (s.level === 'department') return `${handling} AND o.assignee_department_id = ${bind(s.departmentId)}::int`
      if (s.level === 'village') return `${handling} AND o.assignee_village_id = ${bind(s.villageId)}::int`
      if (s.level === 'grid') return `${handling} AND o.assignee_village_id = o.village_id AND o.grid_id = ${bind(s.gridId)}::int`
      return handling
    }
    case 'toReview':
      // what the caller handled herself waits for someone else's review
      return `o.state = 'handled' AND ${HANDLER} IS DISTINCT FROM ${bind(user.username)}::text`
    case 'toReply':
      return `o.state = 'reviewed'`
    case 'overdue':
      return `o.state <> 'closed' AND o.deadline_at < ${bind(now)}::timestamptz`
    case 'dissatisfied':
      // waiting for the center's decision (重办 or 维持办结); a new rating of 3 or more takes it out
      return AWAITING_DECISION
    case 'all':
      return 'TRUE'
  }
}

import type { AuthUser } from '../auth/roles.ts'
import type { InboxTab, WorkOrderAction } from '../../geo/work-orders.ts'
import type { OrderRow } from './repository.ts'

type Relation = Pick<OrderRow, 'grid_id' | 'village_id' | 'assignee_village_id' | 'assignee_department_id' | 'reporter'>

/**
 * Who may take which step of the loop on an order, by role and by how the order relates to
 * them (which orders they may see at all is ORDER_COLUMNS). A reason when not.
 */
export function refusal(user: AuthUser, action: WorkOrderAction, o: Relation): string | null {
  const center = user.role === 'admin' || user.role === 'dispatcher'
  const leader = user.role === 'leader'
  const cadreOfAssignee = user.role === 'villageCadre' && o.assignee_village_id !== null && user.villageId === o.assignee_village_id
  const departmentOfAssignee = user.scope.level === 'department' && o.assignee_department_id === user.scope.departmentId
  switch (action) {
    case 'dispatch':
    case 'review':
      return center || leader ? null : `role ${user.role} may not ${action} work orders`
    case 'transfer':
      return center || leader || cadreOfAssignee ? null : `only the command center or the assigned village may transfer this order`
    case 'handle': {
      const workerOfGrid = user.role === 'gridWorker' && o.assignee_village_id === o.village_id && user.gridId === o.grid_id
      return center || cadreOfAssignee || workerOfGrid || departmentOfAssignee ? null : `only the assigned village (or its grid worker) or department may handle this order`
    }
    case 'sendBack':
      return cadreOfAssignee || departmentOfAssignee ? null : `only the village or department the order was sent to may send it back`
    case 'reply':
      return center ? null : `role ${user.role} may not reply to reporters`
    case 'rate':
      // the reporter rates; the center records a hotline caller's rating from the call back
      return center || user.username === o.reporter ? null : `only the reporter or the command center may rate this order`
  }
}

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
      return `o.state = 'handled'`
    case 'toReply':
      return `o.state = 'reviewed'`
    case 'overdue':
      return `o.state <> 'closed' AND o.deadline_at < ${bind(now)}::timestamptz`
    case 'all':
      return 'TRUE'
  }
}

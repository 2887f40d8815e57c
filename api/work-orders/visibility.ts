import type { ScopeColumns } from '../access/scope.ts'

/**
 * Who may see an order (`o`): town-wide roles all; a village's people their village's orders
 * and those assigned to it; a grid worker her grid's; a county department the orders it holds
 * or was ever given (its history stays readable after it sent one back); a grid worker also
 * the orders she reported elsewhere in her village. Having reported an order widens nobody's
 * reach beyond that (a town's account sees its town's orders, whoever reported them).
 */
export const ORDER_COLUMNS: ScopeColumns = {
  village: ['o.village_id', 'o.assignee_village_id'],
  grid: 'o.grid_id',
  owner: 'o.reporter',
  department: [
    'o.assignee_department_id',
    // the partial index on history's departmentId (migration 016) answers this
    `o.id IN (SELECT h.order_id FROM work_order_history h
               WHERE h.detail ? 'departmentId' AND h.detail ->> 'departmentId' IS NOT NULL AND (h.detail ->> 'departmentId')::int = {})`,
  ],
}

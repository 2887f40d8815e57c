import type { ScopeColumns } from '../access/scope.ts'

/**
 * Who may see an order (`o`): town-wide roles all; a village's people their village's orders
 * and those assigned to it; a grid worker her grid's; everyone the orders they reported.
 */
export const ORDER_COLUMNS: ScopeColumns = { village: ['o.village_id', 'o.assignee_village_id'], grid: 'o.grid_id', owner: 'o.reporter' }


/** the phone page's tabs */
export type Tab = 'report' | 'todo' | 'orders' | 'visit' | 'people' | 'ledger' | 'dispute'
/** the tabs that show her grid on the map, and those that show its visiting marks */
export const MAP_TABS: readonly Tab[] = ['report', 'visit', 'people', 'ledger']
export const MARK_TABS: readonly Tab[] = ['visit', 'people', 'ledger']

/** the roles the phone page serves: the grid worker in her grid, and the village and the departments orders are sent to */
export type PhoneRole = 'gridWorker' | 'villageCadre' | 'department'
export const isPhoneRole = (role: string | undefined): role is PhoneRole => role === 'gridWorker' || role === 'villageCadre' || role === 'department'

/**
 * Each role's tabs, none that never applies to it: a cadre handles, sends on or back what was
 * sent to her village and mediates its disputes; a department handles and sends back what was
 * sent to it (disputes are not a department's). Households, visits and ledgers are the grid worker's.
 */
export const TABS_FOR: Record<PhoneRole, readonly Tab[]> = {
  gridWorker: ['report', 'todo', 'orders', 'visit', 'people', 'ledger', 'dispute'],
  villageCadre: ['todo', 'orders', 'dispute'],
  department: ['todo', 'orders'],
}

export function tabLabel(tab: Tab, role: PhoneRole): string {
  if (tab === 'orders') return role === 'gridWorker' ? '我的工单' : role === 'villageCadre' ? '本村工单' : '本部门工单'
  return { report: '上报事件', todo: '待我办理', visit: '入户走访', people: '人口管理', ledger: '台账随访', dispute: '矛盾纠纷' }[tab]
}

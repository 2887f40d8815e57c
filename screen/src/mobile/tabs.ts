/** the phone page's tabs */
export type Tab = 'report' | 'todo' | 'orders' | 'visit' | 'people' | 'ledger' | 'dispute'
/** the tabs that show her grid on the map, and those that show its visiting marks */
export const MAP_TABS: readonly Tab[] = ['report', 'visit', 'people', 'ledger']
export const MARK_TABS: readonly Tab[] = ['visit', 'people', 'ledger']

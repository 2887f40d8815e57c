import type { SignedInUser } from '../shared/stores/auth.ts'
import { WELFARE_DEPARTMENT } from '../../../geo/welfare.ts'
import { INBOX_TABS, type InboxTab } from '../../../geo/work-orders.ts'

/** the signed-in user as the desk needs it: the login answer carries the department too */
export type DeskUser = SignedInUser & { departmentId?: number | null }

export const ROLE_LABELS: Record<string, string> = {
  admin: '系统管理员', leader: '镇领导', villageCadre: '村干部', gridWorker: '网格员', dispatcher: '指挥中心调度员',
  display: '大屏显示', device: '车载终端', department: '县直部门',
}

/** roles that are machines or walls, not people at a desk */
export const NOT_FOR_DESK = ['display', 'device']

export interface NavItem {
  view: string
  label: string
  roles: readonly string[]
  /** a department account sees it only if it is this department's (the server says the same) */
  department?: string
}

// Each tool is offered to the roles the server's access table lets use it (api/access/policy.ts);
// the server refuses the others anyway, this only keeps menus honest.
export const NAV: readonly NavItem[] = [
  // going live: first in the admin's menu, and where an admin lands while there is no village yet
  { view: 'setup', label: '底数导入', roles: ['admin'] },
  { view: 'inbox', label: '工单收件箱', roles: ['admin', 'leader', 'dispatcher', 'villageCadre', 'gridWorker', 'department'] },
  { view: 'population', label: '人口双实', roles: ['admin', 'villageCadre', 'gridWorker'] },
  { view: 'households', label: '户籍与落图', roles: ['admin', 'villageCadre', 'gridWorker'] },
  { view: 'ledgers', label: '人群台账', roles: ['admin', 'leader', 'villageCadre', 'gridWorker'] },
  // 矛盾纠纷排查化解: mediated by cadres, leaders and the admin; a dispatcher follows and registers
  { view: 'disputes', label: '矛盾纠纷', roles: ['admin', 'leader', 'dispatcher', 'villageCadre', 'gridWorker'] },
  { view: 'notices', label: '三务公开', roles: ['admin', 'leader', 'villageCadre'] },
  { view: 'party', label: '党建活动', roles: ['admin', 'villageCadre'] },
  { view: 'stars', label: '星级评定', roles: ['admin', 'leader'] },
  { view: 'welfare', label: '民生资金', roles: ['admin', 'leader', 'villageCadre', 'department'], department: WELFARE_DEPARTMENT },
  { view: 'deptimport', label: '部门数据导入', roles: ['admin', 'department'] },
  { view: 'import', label: '12345导入', roles: ['admin', 'dispatcher'] },
  { view: 'alerts', label: '车辆告警', roles: ['admin', 'dispatcher'] },
  { view: 'fleet', label: '车辆管理', roles: ['admin', 'dispatcher'] },
  // the fleet register: trucks, collection points, transfer stations (fleet.manage)
  { view: 'facilities', label: '车辆与设施', roles: ['admin', 'dispatcher'] },
  // the admin keeps cameras; the command center watches their state and offline alerts
  { view: 'cameras', label: '视频监控', roles: ['admin', 'dispatcher'] },
  { view: 'people', label: '授权查询', roles: ['admin', 'leader', 'villageCadre', 'gridWorker'] },
  { view: 'rankings', label: '考核排名', roles: ['admin', 'leader', 'dispatcher', 'villageCadre', 'gridWorker'] },
  { view: 'boundaries', label: '村界与网格导入', roles: ['admin'] },
  { view: 'categories', label: '类别与时限', roles: ['admin'] },
  { view: 'grids', label: '网格划分', roles: ['admin'] },
  { view: 'users', label: '账号管理', roles: ['admin'] },
  { view: 'terminals', label: '车载终端', roles: ['admin'] },
  { view: 'walls', label: '大屏管理', roles: ['admin'] },
  { view: 'audit', label: '审计日志', roles: ['admin'] },
]

export const navFor = (role: string | undefined, departmentName?: string): NavItem[] =>
  NAV.filter((n) => role && n.roles.includes(role) && (role !== 'department' || !n.department || n.department === departmentName))

/** the command center: dispatches, replies, rates for hotline callers, sees callers */
export const isCenter = (role: string | undefined): boolean => role === 'admin' || role === 'dispatcher'
export const seesCaller = (role: string | undefined): boolean => role === 'admin' || role === 'leader' || role === 'dispatcher'

/**
 * Inbox tabs that never hold a step the role may take (api/work-orders/policy.ts refusal): only
 * the command center and leaders dispatch and review, only the center replies. A village, grid
 * or department handles: 待办理, 已超期 and 全部 are its tabs (a 重办 order comes back to it in
 * 待办理; 不满意 waits for the center's decision, which leaders oversee). A tab not listed here is
 * everyone's.
 */
const INBOX_TABS_NEVER: Record<string, readonly InboxTab[]> = {
  leader: ['toReply'],
  villageCadre: ['toDispatch', 'toReview', 'toReply', 'dissatisfied'],
  gridWorker: ['toDispatch', 'toReview', 'toReply', 'dissatisfied'],
  department: ['toDispatch', 'toReview', 'toReply', 'dissatisfied'],
}
export const inboxTabsFor = (role: string | undefined): InboxTab[] => INBOX_TABS.filter((t) => !(role && INBOX_TABS_NEVER[role]?.includes(t)))

/**
 * The inbox's place filters a role can use: a village cadre's orders are her village's (her
 * grids remain to choose), a grid worker's her grid's; a department's come from anywhere.
 */
export function placeFiltersFor(role: string | undefined): { town: boolean; village: boolean; grid: boolean } {
  if (role === 'gridWorker') return { town: false, village: false, grid: false }
  if (role === 'villageCadre') return { town: false, village: false, grid: true }
  return { town: true, village: true, grid: true }
}

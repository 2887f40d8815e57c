// Work orders: the closed loop 问、派、转、办、审、回 shared by the API (which enforces it) and the
// screens (which show the states and the actions a user may take).

export const WORK_ORDER_STATES = ['asked', 'dispatched', 'transferred', 'handled', 'reviewed', 'replied', 'closed'] as const
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number]

export const WORK_ORDER_ACTIONS = ['dispatch', 'transfer', 'handle', 'review', 'reply', 'rate'] as const
export type WorkOrderAction = (typeof WORK_ORDER_ACTIONS)[number]

export const WORK_ORDER_SOURCES = ['gridWorker', 'hotline', 'camera', 'vehicleAlert', 'center'] as const
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number]

export const STATE_LABELS: Record<WorkOrderState, string> = {
  asked: '待派单', dispatched: '已派单', transferred: '已转办', handled: '已办结', reviewed: '已审核', replied: '已回复', closed: '已关闭',
}
export const ACTION_LABELS: Record<WorkOrderAction | 'create' | 'escalate', string> = {
  create: '上报', dispatch: '派单', transfer: '转办', handle: '办理', review: '审核', reply: '回复', rate: '评价', escalate: '提级',
}
export const SOURCE_LABELS: Record<WorkOrderSource, string> = {
  gridWorker: '网格员上报', hotline: '12345热线', camera: '视频监控', vehicleAlert: '车辆告警', center: '指挥中心',
}

/**
 * Which states an action starts from, and where it leads. A review that does not approve sends
 * the order back to its handler (dispatched); everything else has one destination.
 */
export const TRANSITIONS: Record<WorkOrderAction, { from: readonly WorkOrderState[]; to: WorkOrderState }> = {
  dispatch: { from: ['asked'], to: 'dispatched' },
  transfer: { from: ['dispatched', 'transferred'], to: 'transferred' },
  handle: { from: ['dispatched', 'transferred'], to: 'handled' },
  review: { from: ['handled'], to: 'reviewed' },
  reply: { from: ['reviewed'], to: 'replied' },
  rate: { from: ['replied'], to: 'closed' },
}

export interface WorkOrderHistoryEntry {
  id: number
  action: WorkOrderAction | 'create' | 'escalate'
  fromState: WorkOrderState | null
  toState: WorkOrderState
  actor: string
  actorRole: string
  at: string
  note: string
  photoIds: number[]
  detail: Record<string, unknown>
}

export interface WorkOrder {
  id: number
  category: string
  categoryName: string
  description: string
  source: WorkOrderSource
  externalId: string | null
  lon: number
  lat: number
  address: string
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  state: WorkOrderState
  assigneeVillageId: number | null
  assigneeDepartmentId: number | null
  assigneeName: string | null
  escalationLevel: 0 | 1 | 2
  stateSince: string
  deadlineAt: string
  overdue: boolean
  wasOverdue: boolean
  reporter: string
  satisfaction: number | null
  createdAt: string
  handledAt: string | null
  closedAt: string | null
  history?: WorkOrderHistoryEntry[]
}

/** The figures the wall and the leaders' ranking show for a scope and a period. */
export interface WorkOrderKpis {
  total: number
  open: number
  overdueOpen: number
  closed: number
  /** closed / total */
  closureRate: number | null
  /** of the closed orders, those never overdue */
  onTimeRate: number | null
  /** hours from report to handled, over handled orders */
  avgHandlingHours: number | null
  /** mean rating 1–5 over rated orders */
  satisfaction: number | null
  /** households visited at least once this month (so far) / households */
  visitCoverage: number | null
  /** the same for last month, which is complete */
  visitCoverageLastMonth: number | null
}

/** One village in the league table (擂台赛), GET /api/work-orders/rankings. */
export interface VillageRank {
  villageId: number
  villageName: string
  total: number
  closureRate: number | null
  onTimeRate: number | null
  satisfaction: number | null
  visitCoverage: number | null
  /** 擂台赛 score: on-time 40, closure 30, satisfaction 20, last month's visit coverage 10 */
  score: number
}

/** One grid worker in the league table: last month's visit coverage 60, reports 40. */
export interface GridWorkerRank {
  gridId: number
  gridName: string
  villageName: string
  gridWorkerName: string
  reports: number
  visits: number
  visitCoverage: number | null
  score: number
}

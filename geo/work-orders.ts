// Work orders: the closed loop 问、派、转、办、审、回 shared by the API (which enforces it) and the
// screens (which show the states and the actions a user may take).

export const WORK_ORDER_STATES = ['asked', 'dispatched', 'transferred', 'handled', 'reviewed', 'replied', 'closed'] as const
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number]

export const WORK_ORDER_ACTIONS = ['dispatch', 'transfer', 'handle', 'review', 'reply', 'rate', 'sendBack', 'reopen', 'keep', 'invalidate', 'merge'] as const
export type WorkOrderAction = (typeof WORK_ORDER_ACTIONS)[number]

export const WORK_ORDER_SOURCES = ['gridWorker', 'hotline', 'camera', 'vehicleAlert', 'center', 'resident'] as const
export type WorkOrderSource = (typeof WORK_ORDER_SOURCES)[number]

export const STATE_LABELS: Record<WorkOrderState, string> = {
  asked: '待派单', dispatched: '已派单', transferred: '已转办', handled: '已办结', reviewed: '已审核', replied: '已回复', closed: '已关闭',
}
export const ACTION_LABELS: Record<WorkOrderAction | 'create' | 'escalate', string> = {
  create: '上报', dispatch: '派单', transfer: '转办', handle: '办理', review: '审核', reply: '回复', rate: '评价', escalate: '提级', sendBack: '退回',
  reopen: '重办', keep: '维持办结', invalidate: '作废', merge: '合并',
}
export const SOURCE_LABELS: Record<WorkOrderSource, string> = {
  gridWorker: '网格员上报', hotline: '12345热线', camera: '视频监控', vehicleAlert: '车辆告警', center: '指挥中心', resident: '群众一键点单',
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
  // the village or department it was sent to gives it back to the town, with a reason
  sendBack: { from: ['dispatched', 'transferred'], to: 'asked' },
  // 重办: the center takes a closed order (a resident unhappy with it) back to its handler
  reopen: { from: ['closed'], to: 'dispatched' },
  // 维持办结: its other answer — the order stays closed, the decision (and its reason) on record
  keep: { from: ['closed'], to: 'closed' },
  // 作废 and 合并 end an order that will not be handled: spam, or a duplicate of another order
  invalidate: { from: ['asked', 'dispatched', 'transferred'], to: 'closed' },
  merge: { from: ['asked', 'dispatched', 'transferred'], to: 'closed' },
}

/** How an order ended without being handled: 作废 (invalid) or 合并 (a duplicate, merged into another). */
export type WorkOrderOutcome = 'invalid' | 'merged'
export const OUTCOME_LABELS: Record<WorkOrderOutcome, string> = { invalid: '已作废', merged: '已合并' }

/** A state as people read it: an order 作废 or 合并 is closed, but not 已关闭 as a handled one is. */
export const stateLabel = (o: Pick<WorkOrder, 'state' | 'outcome'>): string => (o.outcome ? OUTCOME_LABELS[o.outcome] : STATE_LABELS[o.state])

/**
 * A step's name in an order's history: 代评 where the command center recorded a hotline caller's
 * rating for her (the API marks that rating step `detail.onBehalf`), so it is never read as the
 * caller's own.
 */
export const stepLabel = (h: Pick<WorkOrderHistoryEntry, 'action' | 'detail'>): string =>
  h.action === 'rate' && h.detail.onBehalf === true ? '代评' : ACTION_LABELS[h.action]

/** What a resident sees of each step on the status page: what happened, never who did it. */
export const PUBLIC_STEP_LABELS: Record<WorkOrderAction | 'create' | 'escalate', string> = {
  create: '已受理', dispatch: '已派单，正在处理', transfer: '已转交职能部门处理', handle: '已办理完毕', review: '已审核',
  reply: '已答复', rate: '已评价', escalate: '已督办', sendBack: '重新派单中',
  reopen: '已重新办理', keep: '已回访，维持办结', invalidate: '经核实不予办理', merge: '已合并到其他工单一并办理',
}

/** A resident's report as its status page shows it (GET /api/public/reports/:trackingCode). */
export interface PublicReportStatus {
  trackingCode: string
  categoryName: string
  state: WorkOrderState
  createdAt: string
  /** what happened, when, and the unit that did it (a village committee, a department, the command center; never a person) */
  steps: { label: string; at: string; unit: string | null }[]
  /** the command center's answer to the resident, once replied */
  reply: string | null
  /** replied and not yet rated */
  canRate: boolean
  /** the resident's rating of the order as it was closed; null while it is (re)handled */
  satisfaction: number | null
  /** the photos the resident sent with the report (her own; GET …/:trackingCode/photos/:id) */
  photoIds: number[]
  /** 作废 or 合并: ended without being handled */
  outcome: WorkOrderOutcome | null
  /** the command center took it back after a rating (重办) */
  reopened: boolean
  /** a report merged into another order follows that order: its number, state and steps */
  mergedInto: { orderId: number; state: WorkOrderState; steps: { label: string; at: string; unit: string | null }[] } | null
}

/** The desk's inbox tabs: what waits for the signed-in user. */
export const INBOX_TABS = ['toDispatch', 'toHandle', 'toReview', 'toReply', 'overdue', 'dissatisfied', 'all'] as const
export type InboxTab = (typeof INBOX_TABS)[number]
export const INBOX_LABELS: Record<InboxTab, string> = {
  toDispatch: '待派单', toHandle: '待办理', toReview: '待审核', toReply: '待回复', overdue: '已超期', dissatisfied: '不满意', all: '全部',
}

export interface WorkOrderHistoryEntry {
  id: number
  action: WorkOrderAction | 'create' | 'escalate'
  fromState: WorkOrderState | null
  toState: WorkOrderState
  actor: string
  actorRole: string
  /** the account's name and unit (王某, 东王庄村委会 / 住建局 / 指挥中心), null for the system and residents */
  actorName: string | null
  actorUnit: string | null
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
  /** where the point is, as people say it, when no address was written (api/geo/place.ts): the order's own page only */
  place?: string | null
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
  /** the caller of a hotline or resident report, masked (张*三, 138****1234); for the command center only */
  caller?: { name: string; phone: string }
  /** the latest rating: a reopened order keeps its last one until it is rated again */
  satisfaction: number | null
  /** 作废 or 合并; null for an order handled (or being handled) */
  outcome: WorkOrderOutcome | null
  /** the order a merged one was merged into (合并) */
  mergedInto: number | null
  /** the resident's comment with the rating (拍拍板) */
  ratingComment?: string | null
  createdAt: string
  handledAt: string | null
  closedAt: string | null
  history?: WorkOrderHistoryEntry[]
  /** with one order: the steps the signed-in user may take now (the server checks again) */
  actions?: WorkOrderAction[]
  /** the dispute (矛盾纠纷) it opened, was filed for or was referred to; for those who read disputes */
  disputeId?: number | null
}

/** A step as a wall (the display role) gets it: what happened and when, no person, no note. */
export type WallHistoryEntry = Pick<WorkOrderHistoryEntry, 'id' | 'action' | 'fromState' | 'toState' | 'at' | 'photoIds'>
  & Partial<Pick<WorkOrderHistoryEntry, 'actor' | 'actorRole' | 'actorName' | 'actorUnit' | 'note' | 'detail'>>

/**
 * An order as a wall (the display role) gets it: no free text (description, address, notes),
 * no reporter; an order of a sensitive category at its grid's label point (`approximate`).
 * A staff member's full order has the same fields and more, so the wall's screens take either.
 */
export type WallWorkOrder = Omit<WorkOrder, 'description' | 'externalId' | 'address' | 'reporter' | 'caller' | 'ratingComment' | 'history' | 'actions' | 'disputeId'>
  & Partial<Pick<WorkOrder, 'description' | 'externalId' | 'address' | 'reporter'>>
  & { approximate?: boolean; history?: WallHistoryEntry[] }

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
  /** 1 + how many scored higher: equal scores share a rank, tied rows ordered by name */
  rank: number
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

/**
 * One county department in the league table (the town evaluates the departments): orders sent
 * to it in the period, the share handled before their deadline, the reporters' mean rating, and
 * how often it sent an order back. Score: on time 60, satisfaction 40, less 5 per order sent back
 * in every 100 received.
 */
export interface DepartmentRank {
  /** 1 + how many scored higher: equal scores share a rank, tied rows ordered by name */
  rank: number
  departmentId: number
  departmentName: string
  received: number
  handled: number
  onTimeRate: number | null
  satisfaction: number | null
  sentBack: number
  score: number
}

/** One grid worker in the league table: last month's visit coverage 60, reports 40. */
export interface GridWorkerRank {
  /** 1 + how many scored higher: equal scores share a rank, tied rows ordered by name */
  rank: number
  gridId: number
  gridName: string
  villageName: string
  gridWorkerName: string
  reports: number
  visits: number
  visitCoverage: number | null
  score: number
}

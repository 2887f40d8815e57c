// 矛盾纠纷排查化解: a dispute's stages and outcomes as the API enforces them and the screens show
// them (one definition for both). Mediation rises one step at a time — 微调解 (grid, village),
// 中协商 (全科协商厅), 大评议 — and may be closed (结案) from any open stage.

export const DISPUTE_STAGES = ['accepted', 'mediating', 'consulting', 'reviewing', 'closed'] as const
export type DisputeStage = (typeof DISPUTE_STAGES)[number]
export const OPEN_STAGES = ['accepted', 'mediating', 'consulting', 'reviewing'] as const satisfies readonly DisputeStage[]

export const DISPUTE_OUTCOMES = ['resolved', 'unresolved', 'referred'] as const
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number]

export const STAGE_LABELS: Record<DisputeStage, string> = {
  accepted: '受理', mediating: '微调解', consulting: '中协商', reviewing: '大评议', closed: '结案',
}
/** what a button moving a dispute to that stage says (the current stage: a progress note) */
export const STAGE_ACTION_LABELS: Record<DisputeStage, string> = {
  accepted: '记录进展', mediating: '开始微调解', consulting: '提交中协商', reviewing: '提交大评议', closed: '结案',
}
export const OUTCOME_LABELS: Record<DisputeOutcome, string> = { resolved: '调解成功', unresolved: '调解不成', referred: '转办' }

/** the types the fixtures and the screens offer; the API takes any short text */
export const DISPUTE_TYPES = ['邻里纠纷', '婚姻家庭', '土地承包', '宅基地', '劳资纠纷', '物业纠纷', '交通事故', '其他'] as const

/** the mediation stages a grid worker may work in (微调解); beyond them is the village's and the town's */
export const GRID_STAGES: readonly DisputeStage[] = ['accepted', 'mediating']

/**
 * Where a dispute at `from` may go: the same stage (a progress note), the next rising step, or
 * closed. Nothing from closed: a closed dispute is final.
 */
export function nextStages(from: DisputeStage): DisputeStage[] {
  if (from === 'closed') return []
  const next = DISPUTE_STAGES[DISPUTE_STAGES.indexOf(from) + 1]
  return next === 'closed' ? [from, 'closed'] : [from, next, 'closed']
}

export interface DisputeParty {
  name: string
  phone: string
}

export interface DisputeHistoryEntry {
  id: number
  at: string
  /** the account that took the step ('system' for none) */
  actor: string
  actorRole: string
  /** the stage after the step */
  stage: DisputeStage
  outcome: DisputeOutcome | null
  mediator: string
  note: string
  detail: Record<string, unknown>
}

export interface Dispute {
  id: number
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  type: string
  summary: string
  stage: DisputeStage
  outcome: DisputeOutcome | null
  /** who mediates now: a name as the step gave it (a 调解员 need not have an account) */
  mediator: string
  /** masked (张*三, 138****1234) unless `unmasked` */
  parties: DisputeParty[]
  unmasked: boolean
  reporter: string
  reportedAt: string
  stageSince: string
  closedAt: string | null
  /** the work order that opened it (a 矛盾纠纷 order), and the one it was referred to (转办) */
  sourceOrderId: number | null
  referredOrderId: number | null
  referredDepartmentId: number | null
  referredDepartmentName: string | null
  history?: DisputeHistoryEntry[]
  /** with one dispute: the stages the signed-in user may move it to now (the server checks again) */
  actions?: DisputeStage[]
}

export interface DisputeList {
  items: Dispute[]
  /** the `before` of the next page, null at the end */
  next: number | null
  /** disputes per stage under the same filters, the stage filters aside (the desk's tabs) */
  counts: Record<DisputeStage, number>
}

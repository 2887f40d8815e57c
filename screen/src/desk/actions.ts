import { ACTION_LABELS, type WorkOrder, type WorkOrderAction } from '../../../geo/work-orders.ts'

/**
 * The button words: 派、转、办、审、回, 评价 for a reporter rating her own report, and 代评 when the
 * center rates for a hotline caller (the only order the server lets it rate for someone else).
 */
export function actionLabel(action: WorkOrderAction, order: Pick<WorkOrder, 'source'>): string {
  if (action === 'rate' && order.source === 'hotline') return '代评'
  return ACTION_LABELS[action]
}

export const TITLES: Partial<Record<WorkOrderAction, string>> = {
  dispatch: '派单', transfer: '转办', handle: '办理', review: '审核', reply: '回复来电人', sendBack: '退回指挥中心',
  reopen: '重办（退回承办单位重新办理）', keep: '维持办结', invalidate: '作废', merge: '合并重复工单',
}

/** steps that end or undo someone's work: shown as red buttons */
export const DANGER: readonly WorkOrderAction[] = ['sendBack', 'invalidate', 'merge', 'reopen']

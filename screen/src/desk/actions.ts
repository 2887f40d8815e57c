import { ACTION_LABELS, type WorkOrderAction } from '../../../geo/work-orders.ts'
import { isCenter } from './roles.ts'

/** the button words: 派、转、办、审、回, and 代评 when the center rates for a hotline caller */
export function actionLabel(action: WorkOrderAction, role: string | undefined): string {
  if (action === 'rate' && isCenter(role)) return '代评'
  return ACTION_LABELS[action]
}

export const TITLES: Partial<Record<WorkOrderAction, string>> = {
  dispatch: '派单', transfer: '转办', handle: '办理', review: '审核', reply: '回复来电人', sendBack: '退回指挥中心',
}

import { ApiError } from '../shared/api.ts'
import type { WorkOrderState } from '../../../geo/work-orders.ts'

/**
 * What a resident reads for each state: what is happening to her report, in plain words (the
 * staff's STATE_LABELS say what the staff must do next, e.g. 待派单).
 */
export const RESIDENT_STATE_LABELS: Record<WorkOrderState, string> = {
  asked: '已受理，等待派单',
  dispatched: '正在处理',
  transferred: '已转交职能部门处理',
  handled: '已办理，正在审核',
  reviewed: '已审核，等待答复',
  replied: '已答复，请您评价',
  closed: '已办结',
}

export const SATISFACTION_LABELS = ['', '很不满意', '不满意', '一般', '满意', '很满意'] as const

/** Codes are shown in two groups of five (ABCDE-FGHJK): easier to read out and copy by hand. */
export const formatCode = (code: string) => (code.length === 10 ? `${code.slice(0, 5)}-${code.slice(5)}` : code)

/** what a resident types: any case, spaces or the dash; O/I/L read as 0/1 (the server does the same) */
export const normalizeCode = (typed: string) => typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
export const isCode = (code: string) => /^[0-9A-Z]{10,14}$/.test(code)

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
})
/** 2026年11月25日 14:05, Beijing time whatever the phone's zone */
export function residentTime(iso: string): string {
  const p = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((x) => [x.type, x.value]))
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`
}

// The server names the field in English (body/description …); a resident reads the field's name.
const FIELDS: [RegExp, string][] = [
  [/description/, '问题描述'], [/category/, '问题类别'], [/phone/, '手机号'], [/lon|lat/, '位置'],
  [/photo|upload|x-upload-key/i, '照片'], [/satisfaction/, '评分'], [/comment/, '评价内容'], [/trackingCode/, '编号'],
]

/**
 * An error as a resident should read it: Chinese only, chosen by the status and the server's
 * `code` (the server's message is English, for staff and logs; a resident never sees it). `detail`
 * is a second Chinese line where one helps (which field, what to do), or empty.
 */
export function residentError(err: unknown): { text: string; detail: string } {
  if (!(err instanceof ApiError)) return { text: '出现错误，请稍后重试', detail: '' }
  switch (err.status) {
    case 0:
      return { text: '网络不可用，请检查网络后重试', detail: '' }
    case 400: {
      const field = FIELDS.find(([re]) => re.test(err.message))?.[1]
      return { text: field ? `请检查“${field}”一项的填写` : '填写的内容有误，请检查后重试', detail: '' }
    }
    case 404:
      return { text: '没有找到这个编号，请核对后重试', detail: '编号是 10 位字母和数字，可在“我的反映”中找到' }
    case 409:
      if (err.code === 'already_rated') return { text: '这条反映已经评价过了', detail: '' }
      if (err.code === 'not_answered') return { text: '办理答复后才能评价，请稍后再来', detail: '' }
      return { text: '这条反映的状态已经变化，请刷新后查看', detail: '' }
    case 413:
      return { text: '照片太大，请换一张或重新拍摄', detail: '' }
    case 415:
      return { text: '只能上传 JPEG、PNG 或 WebP 格式的照片', detail: '' }
    case 422:
      return { text: '这个位置不在本镇的网格范围内，请重新选择位置', detail: '' }
    case 429:
      // the address's photos for the day are used up: waiting a minute will not help
      return err.code === 'upload_budget' ? { text: '今天上传的照片已达上限，请明天再试', detail: '' } : { text: '提交太频繁了，请稍后再试', detail: '' }
    default:
      return err.status >= 500 ? { text: '服务暂时不可用，请稍后重试', detail: '' } : { text: '提交未成功，请稍后重试', detail: '' }
  }
}

import { ApiError, deleteJson, getJson, postJson } from './api.ts'

// 列管 / 撤管 from the desk and the phone: the groups a ledger may hold (the server's catalogue
// of follow-up periods: 7 key and 9 care groups) and the two writes, with the refusals a
// person can act on in words of her own (by code, never by message text).

export interface LedgerGroup {
  kind: 'key' | 'care'
  tag: string
  periodDays: number
}

export const GROUP_KIND_LABELS: Record<LedgerGroup['kind'], string> = { key: '重点人群', care: '特殊人群' }

export const ledgerGroups = (): Promise<LedgerGroup[]> => getJson<LedgerGroup[]>('/api/ledgers/periods')

export async function setLedgerTag(residentId: number, tag: string, reason: string, on: boolean): Promise<void> {
  if (on) await postJson(`/api/residents/${residentId}/tags`, { tag, reason })
  else await deleteJson(`/api/residents/${residentId}/tags/${encodeURIComponent(tag)}`, { reason })
}

/** what to tell the person when a 列管 / 撤管 is refused */
export function tagRefusal(err: unknown, tag: string): string {
  if (!(err instanceof ApiError)) return String(err)
  switch (err.code) {
    case 'already_tagged': return `此人已在「${tag}」台账中`
    case 'not_tagged': return `此人不在「${tag}」台账中`
    case 'tag_follows_item': return `「${tag}」随部门数据项变化，请先更正该数据项`
    case 'resident_deregistered': return '此人已注销户籍，台账随之结束'
    case 'forbidden': return '无权管理此人的台账（不在您的管辖范围）'
    case 'not_found': return '查无此人'
    default: return err.message
  }
}

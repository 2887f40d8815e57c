import { defineStore } from 'pinia'
import { reactive, ref, shallowRef } from 'vue'
import { ApiError, authHeaders, getJson, postJson, putJson } from '../../shared/api.ts'
import { useAuthStore } from '../../shared/stores/auth.ts'

export interface LedgerEntry {
  residentId: number
  householdId: number
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  /** masked */
  name: string
  idNumber: string
  phone: string
  gender: string
  ageBand: string
  kind: 'key' | 'care'
  tag: string
  periodDays: number
  lastFollowUp: string | null
  nextDue: string
  overdue: boolean
}
export interface LedgerPeriod {
  kind: 'key' | 'care'
  tag: string
  periodDays: number
}

export const KIND_LABELS: Record<string, string> = { key: '重点人群', care: '特殊人群' }
const PAGE = 100

/**
 * 台账: the key-group and care-group people in the user's scope with their follow-up duty
 * (masked), filtered by group, village, grid and 仅超期; the groups' periods; a follow-up (a
 * household visit naming the person); and the spreadsheet with names and ID numbers, which
 * the server gives only for a stated reason and writes to the audit trail.
 */
export const useLedgerStore = defineStore('deskLedgers', () => {
  const filters = reactive({ group: '', village: null as number | null, grid: null as number | null, overdue: false })
  const entries = shallowRef<LedgerEntry[]>([])
  const total = ref(0)
  const offset = ref(0)
  const loading = ref(false)
  const periods = shallowRef<LedgerPeriod[]>([])

  /** the filters as the API's query (group is "kind:tag" or "kind:") */
  function query(): URLSearchParams {
    const p = new URLSearchParams()
    const [kind, tag] = filters.group ? filters.group.split(':') : ['', '']
    if (kind) p.set('kind', kind)
    if (tag) p.set('tag', tag)
    if (filters.village) p.set('village', String(filters.village))
    if (filters.grid) p.set('grid', String(filters.grid))
    if (filters.overdue) p.set('overdue', 'true')
    return p
  }

  let seq = 0
  /** the list for the filters as they are now; an answer to filters changed since is dropped */
  async function load(at = 0): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const p = query()
      p.set('limit', String(PAGE))
      p.set('offset', String(at))
      const r = await getJson<{ entries: LedgerEntry[]; total: number }>(`/api/ledgers?${p}`)
      if (mine !== seq) return
      entries.value = r.entries
      total.value = r.total
      offset.value = at
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  async function loadPeriods(): Promise<void> {
    periods.value = await getJson<LedgerPeriod[]>('/api/ledgers/periods')
  }
  async function setPeriod(p: LedgerPeriod): Promise<void> {
    await putJson(`/api/ledgers/periods/${p.kind}/${encodeURIComponent(p.tag)}`, { periodDays: p.periodDays })
    await loadPeriods()
  }

  /** a follow-up: a household visit about this person (grid workers and cadres) */
  async function followUp(e: LedgerEntry, note: string): Promise<void> {
    await postJson('/api/household-visits', { householdId: e.householdId, note, residentIds: [e.residentId] })
    await load(offset.value)
  }

  /** the XLSX with full names and ID numbers, for a reason (audited); a Blob and its file name */
  async function exportXlsx(reason: string): Promise<{ blob: Blob; name: string }> {
    const p = query()
    p.set('reason', reason)
    let res: Response
    try {
      res = await fetch(`/api/ledgers/export.xlsx?${p}`, { headers: authHeaders() })
    } catch {
      throw new ApiError(0, '网络不可用，请检查连接后重试')
    }
    if (!res.ok) {
      if (res.status === 401) useAuthStore().expire()
      const body = (await res.json().catch(() => null)) as { message?: string } | null
      throw new ApiError(res.status, body?.message ?? `导出失败 (${res.status})`, body)
    }
    const cd = res.headers.get('Content-Disposition') ?? ''
    const star = cd.match(/filename\*=UTF-8''([^;]+)/)
    return { blob: await res.blob(), name: star ? decodeURIComponent(star[1]) : '台账.xlsx' }
  }

  function reset(): void {
    Object.assign(filters, { group: '', village: null, grid: null, overdue: false })
  }

  return { filters, entries, total, offset, loading, periods, page: PAGE, load, loadPeriods, setPeriod, followUp, exportXlsx, reset }
})

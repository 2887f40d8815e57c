import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson, patchJson, postJson } from '../../shared/api.ts'
import type { Dispute, DisputeList, DisputeOutcome, DisputeParty, DisputeStage } from '../../../../geo/disputes.ts'

export { DISPUTE_TYPES, OUTCOME_LABELS, STAGE_ACTION_LABELS, STAGE_LABELS } from '../../../../geo/disputes.ts'
export type { Dispute, DisputeOutcome, DisputeStage } from '../../../../geo/disputes.ts'

/** the list's tabs: every dispute, the open ones (在办), or one stage */
export type DisputeTab = 'all' | 'open' | DisputeStage

export interface DisputeStepInput {
  stage: DisputeStage
  mediator?: string
  outcome?: DisputeOutcome
  note?: string
  referToDepartmentId?: number
  referToNewOrder?: boolean
}

export interface NewDisputeInput {
  gridId: number
  type: string
  summary: string
  parties?: DisputeParty[]
}

const EMPTY_COUNTS: Record<DisputeStage, number> = { accepted: 0, mediating: 0, consulting: 0, reviewing: 0, closed: 0 }

/**
 * 矛盾纠纷排查化解 on the desk: the scope's disputes by stage, one dispute with its history and
 * the steps the server lets the signed-in user take (`actions`), and the steps themselves.
 */
export const useDisputeStore = defineStore('deskDisputes', () => {
  const items = shallowRef<Dispute[]>([])
  const counts = ref<Record<DisputeStage, number>>({ ...EMPTY_COUNTS })
  const next = ref<number | null>(null)
  const tab = ref<DisputeTab>('open')
  const village = ref<number | ''>('')
  const q = ref('')
  const loading = ref(false)
  const current = shallowRef<Dispute | null>(null)

  function query(before?: number): string {
    const p = new URLSearchParams({ limit: '50' })
    if (tab.value === 'open') p.set('open', '1')
    else if (tab.value !== 'all') p.set('stage', tab.value)
    if (village.value !== '') p.set('village', String(village.value))
    if (q.value.trim()) p.set('q', q.value.trim())
    if (before) p.set('before', String(before))
    return p.toString()
  }

  async function load(): Promise<void> {
    loading.value = true
    try {
      const list = await getJson<DisputeList>(`/api/disputes?${query()}`)
      items.value = list.items
      counts.value = list.counts
      next.value = list.next
    } finally {
      loading.value = false
    }
  }
  async function more(): Promise<void> {
    if (!next.value) return
    const list = await getJson<DisputeList>(`/api/disputes?${query(next.value)}`)
    items.value = [...items.value, ...list.items]
    next.value = list.next
  }
  async function open(id: number): Promise<void> {
    current.value = await getJson<Dispute>(`/api/disputes/${id}`)
  }
  async function unmask(id: number, reason: string): Promise<void> {
    current.value = await getJson<Dispute>(`/api/disputes/${id}?unmask=1&reason=${encodeURIComponent(reason)}`)
  }
  async function step(id: number, body: DisputeStepInput): Promise<Dispute> {
    const d = await patchJson<Dispute>(`/api/disputes/${id}`, body)
    current.value = d
    await load()
    return d
  }
  async function record(body: NewDisputeInput): Promise<number> {
    const { id } = await postJson<{ id: number }>('/api/disputes', body)
    await load()
    return id
  }
  function close(): void {
    current.value = null
  }

  return { items, counts, next, tab, village, q, loading, current, load, more, open, unmask, step, record, close }
})

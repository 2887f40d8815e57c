import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson, patchJson, postJson } from '../../shared/api.ts'

export { NOTICE_CATEGORIES, type DraftState, type NoticeCategory, type NoticeDraft } from '../../../../geo/notices.ts'
import type { DraftState, NoticeCategory, NoticeDraft } from '../../../../geo/notices.ts'
export interface DraftInput {
  villageId?: number
  category: NoticeCategory
  title: string
  body: string
  photoIds: number[]
}

export const STATE_LABELS: Record<DraftState, string> = { draft: '草稿', submitted: '待审核', published: '已发布', rejected: '已退回' }
/** the chip colour of each state (desk.css) */
export const STATE_CHIPS: Record<DraftState, string> = { draft: 'closed', submitted: 'asked', published: 'replied', rejected: 'late' }

/**
 * 三务公开: a village cadre drafts a notice, edits it and submits it; a leader (or admin)
 * publishes it, and the wall's 村级事务 lists it at once, or sends it back with a reason.
 */
export const useNoticeStore = defineStore('deskNotices', () => {
  const drafts = shallowRef<NoticeDraft[]>([])
  const state = ref<DraftState | ''>('')
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      drafts.value = await getJson<NoticeDraft[]>(`/api/notices/drafts${state.value ? `?state=${state.value}` : ''}`)
    } finally {
      loading.value = false
    }
  }
  async function create(d: DraftInput, submit: boolean): Promise<NoticeDraft> {
    let made = await postJson<NoticeDraft>('/api/notices/drafts', d)
    if (submit) made = await patchJson<NoticeDraft>(`/api/notices/drafts/${made.id}`, { submit: true })
    await load()
    return made
  }
  async function edit(id: number, d: Omit<DraftInput, 'villageId'>, submit: boolean): Promise<NoticeDraft> {
    const saved = await patchJson<NoticeDraft>(`/api/notices/drafts/${id}`, { ...d, ...(submit ? { submit: true } : {}) })
    await load()
    return saved
  }
  async function decide(id: number, approve: boolean, reason?: string): Promise<NoticeDraft> {
    const decided = await postJson<NoticeDraft>(`/api/notices/drafts/${id}/decision`, { approve, ...(reason ? { reason } : {}) })
    await load()
    return decided
  }

  return { drafts, state, loading, load, create, edit, decide }
})

// 三务公开: a notice draft as the API sends it and the desk reads it (one definition for both).
export const NOTICE_CATEGORIES = ['党务公开', '村务公开', '财务公开'] as const
export type NoticeCategory = (typeof NOTICE_CATEGORIES)[number]
export type DraftState = 'draft' | 'submitted' | 'published' | 'rejected'

export interface NoticeDraft {
  id: number
  villageId: number
  villageName: string
  category: NoticeCategory
  title: string
  body: string
  photoIds: number[]
  state: DraftState
  author: string
  createdAt: string
  decidedBy: string | null
  decidedAt: string | null
  reason: string | null
  noticeId: number | null
}

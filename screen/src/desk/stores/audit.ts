import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'
import type { AuditKind } from '../../../../geo/audit.ts'

export interface AuditEntry {
  id: number
  at: string
  userId: number
  username: string
  role: string
  action: string
  residentId: number | null
  workOrderId: number | null
  disputeId: number | null
  reason: string
  ip: string
  userAgent: string
  kind: AuditKind
}
const PAGE = 50

/** The audit trail (admin): personal data seen, exports, admins' changes to accounts, walls and settings; a page at a time. */
export const useAuditStore = defineStore('deskAudit', () => {
  const entries = shallowRef<AuditEntry[]>([])
  const offset = ref(0)
  const username = ref('')
  const kind = ref<AuditKind | ''>('')

  /** the filters, for the list and its spreadsheet alike */
  function filters(): URLSearchParams {
    const p = new URLSearchParams()
    if (username.value.trim()) p.set('username', username.value.trim())
    if (kind.value) p.set('kind', kind.value)
    return p
  }

  async function load(at = 0): Promise<void> {
    const p = filters()
    p.set('limit', String(PAGE))
    p.set('offset', String(at))
    entries.value = (await getJson<{ entries: AuditEntry[] }>(`/api/audit?${p}`)).entries
    offset.value = at
  }
  return { entries, offset, username, kind, page: PAGE, load, filters }
})

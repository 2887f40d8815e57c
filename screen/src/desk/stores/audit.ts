import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'

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
}
const PAGE = 50

/** The audit trail of unmasked lookups and call-backs (admin), a page at a time. */
export const useAuditStore = defineStore('deskAudit', () => {
  const entries = shallowRef<AuditEntry[]>([])
  const offset = ref(0)
  const username = ref('')

  async function load(at = 0): Promise<void> {
    const p = new URLSearchParams({ limit: String(PAGE), offset: String(at) })
    if (username.value.trim()) p.set('username', username.value.trim())
    entries.value = (await getJson<{ entries: AuditEntry[] }>(`/api/audit?${p}`)).entries
    offset.value = at
  }
  return { entries, offset, username, page: PAGE, load }
})

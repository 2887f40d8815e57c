import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { SearchHit } from '../../../../geo/types.ts'
import type { HouseholdRecord, ResidentRecord } from '../../../../geo/people.ts'
import { getJson } from '../../shared/api.ts'

/**
 * 以户查人 with a reason: find a household, read it masked, and unmask one person at a time
 * with a stated reason that the server writes to the audit trail. An unmasked record lives only
 * in this store until another household is opened or the user signs out.
 */
export const usePeopleStore = defineStore('deskPeople', () => {
  const hits = shallowRef<SearchHit[]>([])
  const household = shallowRef<HouseholdRecord | null>(null)
  const unmasked = ref<Record<number, ResidentRecord>>({})
  const searched = ref(false)

  async function search(q: string): Promise<void> {
    const r = await getJson<{ hits: SearchHit[] }>(`/api/search?q=${encodeURIComponent(q.slice(0, 40))}&limit=30`)
    hits.value = r.hits.filter((h) => h.householdId !== null && (h.kind === 'household' || h.kind === 'resident'))
    searched.value = true
  }
  async function open(householdId: number): Promise<void> {
    household.value = await getJson<HouseholdRecord>(`/api/households/${householdId}`)
    unmasked.value = {}
  }
  async function unmask(residentId: number, reason: string): Promise<void> {
    const r = await getJson<ResidentRecord>(`/api/residents/${residentId}?unmask=1&reason=${encodeURIComponent(reason)}`)
    unmasked.value = { ...unmasked.value, [residentId]: r }
  }
  function clear(): void {
    hits.value = []
    household.value = null
    unmasked.value = {}
    searched.value = false
  }
  return { hits, household, unmasked, searched, search, open, unmask, clear }
})

import { ref, shallowRef } from 'vue'
import type { HouseholdRecord } from '../../../../geo/people.ts'
import { ApiError, getJson, reasonOf } from '../../shared/api.ts'

/**
 * 以户查人 on the phone: the households she opened, with their members (masked, GET
 * /api/households/:id), kept for the session so the forms still work when the network goes.
 * Kept in memory only: nothing of the people is written to the phone's storage.
 */
export function useHouseholds() {
  const cache = shallowRef(new Map<number, HouseholdRecord>())
  const error = ref<string | null>(null)
  /** the last load failed for want of a network: what shows is the copy last seen, if any */
  const offline = ref(false)
  const loading = ref(false)

  async function open(id: number): Promise<void> {
    error.value = null
    loading.value = true
    try {
      const h = await getJson<HouseholdRecord>(`/api/households/${id}`)
      cache.value = new Map(cache.value).set(id, h)
      offline.value = false
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) offline.value = true
      else error.value = reasonOf(err)
    } finally {
      loading.value = false
    }
  }

  const get = (id: number): HouseholdRecord | null => cache.value.get(id) ?? null
  /** refresh the households already opened (after a write of hers went through) */
  const refresh = (ids: number[]) => Promise.all(ids.filter((id) => cache.value.has(id)).map(open))
  return { get, open, refresh, error, offline, loading }
}

import { defineStore } from 'pinia'
import { shallowRef, watch } from 'vue'
import type { HouseholdCollection } from '../../../../geo/types.ts'
import { getJson } from '../../shared/api.ts'
import { useScopeStore } from './scope.ts'

import type { HouseholdRecord } from '../../../../geo/people.ts'

export type HouseholdDetail = HouseholdRecord

/** 户况图谱 of the selected grid, and the open household card (以户查人). */
export const useHouseholdStore = defineStore('households', () => {
  const scope = useScopeStore()
  const points = shallowRef<HouseholdCollection | null>(null)
  const detail = shallowRef<HouseholdDetail | null>(null)

  watch(
    () => scope.key,
    async () => {
      points.value = null
      if (scope.current.kind !== 'grid') return
      const key = scope.key
      const fc = await getJson<HouseholdCollection>(`/api/households?grid=${scope.current.id}`).catch(() => null)
      if (key === scope.key) points.value = fc
    },
    { immediate: true },
  )
  watch(
    () => scope.householdId,
    async (id) => {
      detail.value = null
      if (id === null) return
      const d = await getJson<HouseholdDetail>(`/api/households/${id}`).catch(() => null)
      if (id === scope.householdId) detail.value = d
    },
  )
  return { points, detail }
})

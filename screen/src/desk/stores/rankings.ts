import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { DepartmentRank, GridWorkerRank, VillageRank } from '../../../../geo/work-orders.ts'
import { getJson } from '../../shared/api.ts'

/** The league tables (擂台赛) over a period: villages, grid workers, and the county departments the town evaluates. */
export const useRankingStore = defineStore('deskRankings', () => {
  const days = ref(30)
  const villages = shallowRef<VillageRank[]>([])
  const gridWorkers = shallowRef<GridWorkerRank[]>([])
  const departments = shallowRef<DepartmentRank[]>([])

  async function load(): Promise<void> {
    const r = await getJson<{ villages: VillageRank[]; gridWorkers: GridWorkerRank[]; departments?: DepartmentRank[] }>(`/api/work-orders/rankings?days=${days.value}`)
    villages.value = r.villages
    gridWorkers.value = r.gridWorkers
    departments.value = r.departments ?? []
  }
  return { days, villages, gridWorkers, departments, load }
})

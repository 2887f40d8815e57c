import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Stats } from '../../../../geo/stats.ts'
import { getJson, putJson } from '../../shared/api.ts'

export type PartyKind = 'activityDay' | 'threeMeetings'
export type Attendance = NonNullable<Stats['party']>['attendance'][number]
export const PARTY_KINDS: { value: PartyKind; label: string }[] = [
  { value: 'activityDay', label: '28日党员活动日' },
  { value: 'threeMeetings', label: '三会一课' },
]

/**
 * 党建: a village's monthly 28日活动日 and 三会一课 attendance. What was recorded is read back
 * from the village's 党建先锋 figures (GET /api/stats), the same numbers the wall shows.
 */
export const usePartyStore = defineStore('deskParty', () => {
  const villageId = ref<number | null>(null)
  const members = ref(0)
  const months = shallowRef<Attendance[]>([])

  async function load(village: number): Promise<void> {
    villageId.value = village
    const s = await getJson<Stats>(`/api/stats?scope=village:${village}`)
    if (villageId.value !== village) return
    members.value = s.party?.members ?? s.population.partyMembers
    months.value = (s.party?.attendance ?? []).slice().reverse()
  }
  async function record(village: number, month: string, kind: PartyKind, expected: number, attended: number): Promise<void> {
    await putJson(`/api/party-activities/${village}/${month}/${kind}`, { expected, attended })
    await load(village)
  }
  return { villageId, members, months, load, record }
})

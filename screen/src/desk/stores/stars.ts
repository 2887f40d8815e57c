import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { StarInputs, StarReviewList, VillageReview } from '../../../../geo/stars.ts'
import { getJson, putJson } from '../../shared/api.ts'

/**
 * 星级评定: the villages of the user's scope with their secretary's review of a year, the stars
 * it gives and why (GET /api/star-reviews), and entering one (PUT). The year shown is the one
 * asked for, or by default the latest reviewed.
 */
export const useStarsStore = defineStore('deskStars', () => {
  const year = ref<number | null>(null)
  const years = shallowRef<number[]>([])
  const villages = shallowRef<VillageReview[]>([])
  const loaded = ref(false)
  let asked = 0

  async function load(y: number | null = year.value): Promise<void> {
    const mine = ++asked
    const list = await getJson<StarReviewList>(`/api/star-reviews${y ? `?year=${y}` : ''}`)
    // a slower answer for a year she has since left is not shown
    if (mine !== asked) return
    year.value = list.year
    years.value = list.years
    villages.value = list.villages
    loaded.value = true
  }
  async function save(villageId: number, y: number, review: StarInputs): Promise<VillageReview> {
    const saved = await putJson<VillageReview>(`/api/star-reviews/${villageId}/${y}`, review)
    await load(y)
    return saved
  }
  return { year, years, villages, loaded, load, save }
})

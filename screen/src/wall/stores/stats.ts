import { defineStore } from 'pinia'
import { computed, shallowRef, watch } from 'vue'
import type { Stats } from '../../../../geo/stats.ts'
import { getJson } from '../../shared/api.ts'
import { useFreshnessStore } from './freshness.ts'
import { scopeKey, useScopeStore } from './scope.ts'

export type { Stats }

/**
 * Figures of the five modules for the selected scope. At grid scope the village-recorded
 * modules (party, affairs, health) come from the grid's village, and say so.
 */
export const useStatsStore = defineStore('stats', () => {
  const scope = useScopeStore()
  const fresh = useFreshnessStore()
  const current = shallowRef<Stats | null>(null)
  const village = shallowRef<Stats | null>(null)
  const error = shallowRef<string | null>(null)
  /** the scope the figures in `current` are for */
  const loadedKey = shallowRef<string | null>(null)
  /**
   * The scope changed and its figures have not arrived (~10 s on a county's 4K wall): panels
   * hide the old scope's figures rather than show them under the new breadcrumb.
   */
  const loading = computed(() => loadedKey.value !== scope.key)
  let seq = 0

  async function refresh(): Promise<void> {
    const mine = ++seq
    const key = scope.key
    try {
      const s = await getJson<Stats>(`/api/stats?scope=${encodeURIComponent(key)}`)
      let v: Stats | null = null
      if (s.scope.kind === 'grid') {
        const parent = s.scope.path.find((p) => p.kind === 'village')!
        v = await getJson<Stats>(`/api/stats?scope=${scopeKey({ kind: 'village', id: parent.id })}`)
      }
      if (mine !== seq) return // a newer scope won the race
      current.value = s
      village.value = v
      loadedKey.value = key
      error.value = null
      fresh.ok('stats')
    } catch (err) {
      if (mine !== seq) return
      error.value = (err as Error).message
      fresh.fail('stats', error.value)
    }
  }

  watch(() => scope.key, refresh)
  return { current, village, error, loading, refresh }
})

import { ref, watch, type Ref } from 'vue'
import { getJson } from '../api.ts'

/**
 * A point picked on a map said as a place people know ("店子镇石山村一组附近", or "石山村 第2网格"),
 * from GET /api/public/place: residents and workers read where they are, not longitude and
 * latitude. null while it is asked, offline, or outside the town (the screen says something
 * plainer then). Only the newest point's answer is kept.
 */
export function usePlaceName(point: () => readonly [number, number] | null): Ref<string | null> {
  const name = ref<string | null>(null)
  let seq = 0
  watch(
    point,
    async (p) => {
      const mine = ++seq
      name.value = null
      if (!p) return
      const r = await getJson<{ place: string | null }>(`/api/public/place?lon=${p[0]}&lat=${p[1]}`).catch(() => null)
      if (mine === seq) name.value = r?.place ?? null
    },
    { immediate: true },
  )
  return name
}

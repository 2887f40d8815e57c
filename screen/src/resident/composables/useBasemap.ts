import { onMounted, ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'
import type { PublicBasemap } from '../geo.ts'

/**
 * The town's outline, roads and villages from the public route (no sign-in). If it is missing
 * or fails, the map is a plain background: a tap and the device position still place the report.
 */
export function useBasemap() {
  const basemap = shallowRef<PublicBasemap | null>(null)
  const failed = ref(false)
  onMounted(async () => {
    try {
      basemap.value = await getJson<PublicBasemap>('/api/public/basemap')
    } catch {
      failed.value = true
    }
  })
  return { basemap, failed }
}

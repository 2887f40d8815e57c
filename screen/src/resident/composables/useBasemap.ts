import { onMounted, ref, shallowRef } from 'vue'
import { ApiError, getJson } from '../../shared/api.ts'
import type { PublicBasemap } from '../geo.ts'

/**
 * The town's outline, roads and villages from the public route (no sign-in). If it is missing
 * or fails, the map is a plain background: a tap and the device position still place the report.
 * A township still going live has no outline yet (basemap_not_ready): no report can be placed
 * in its grids, and the page says so instead of offering a form.
 */
export function useBasemap() {
  const basemap = shallowRef<PublicBasemap | null>(null)
  const failed = ref(false)
  const notReady = ref(false)
  onMounted(async () => {
    try {
      basemap.value = await getJson<PublicBasemap>('/api/public/basemap')
    } catch (err) {
      if (err instanceof ApiError && err.code === 'basemap_not_ready') notReady.value = true
      else failed.value = true
    }
  })
  return { basemap, failed, notReady }
}

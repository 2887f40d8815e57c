import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VehicleTrack } from '../../../../geo/vehicles.ts'
import { getJson } from '../../shared/api.ts'

export const PLAYBACK_SPEEDS = [1, 10, 60, 300] as const

/**
 * 轨迹回放: one truck's track for a time range, played at a chosen speed with a slider.
 * While it is open the live trucks step aside on the map.
 */
export const usePlaybackStore = defineStore('playback', () => {
  const vehicleId = ref<number | null>(null)
  const track = shallowRef<VehicleTrack | null>(null)
  const at = ref(0)
  const playing = ref(false)
  const speed = ref<number>(60)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let timer: ReturnType<typeof setInterval> | null = null

  const start = () => track.value?.properties.times[0] ?? 0
  const end = () => track.value?.properties.times.at(-1) ?? 0

  async function open(id: number, from: Date, to: Date): Promise<void> {
    close()
    vehicleId.value = id
    loading.value = true
    error.value = null
    try {
      const q = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`
      const t = await getJson<VehicleTrack>(`/api/vehicles/${id}/track?${q}`)
      if (vehicleId.value !== id) return
      if (t.properties.times.length < 2) {
        error.value = '该时段没有轨迹'
        return
      }
      track.value = t
      at.value = start()
      play()
    } catch (err) {
      error.value = (err as Error).message
    } finally {
      loading.value = false
    }
  }

  function play(): void {
    if (!track.value) return
    if (at.value >= end()) at.value = start()
    playing.value = true
    if (timer) return
    const stepMs = 100
    timer = setInterval(() => {
      at.value = Math.min(end(), at.value + stepMs * speed.value)
      if (at.value >= end()) pause()
    }, stepMs)
  }

  function pause(): void {
    playing.value = false
    if (timer) clearInterval(timer)
    timer = null
  }

  function seek(t: number): void {
    at.value = Math.min(end(), Math.max(start(), t))
  }

  function close(): void {
    pause()
    track.value = null
    vehicleId.value = null
    error.value = null
  }

  return { vehicleId, track, at, playing, speed, loading, error, open, play, pause, seek, close, start, end }
})

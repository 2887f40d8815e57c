import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { VehicleTrack } from '../../../../geo/vehicles.ts'
import { getJson, reasonOf } from '../../shared/api.ts'
import { dayStart, nextDayStart } from '../format.ts'
import { positionAt } from '../map/track.ts'

export const SPEED_MIN = 1
export const SPEED_MAX = 600

/**
 * 轨迹回放 at the desk: one truck's track for one Beijing day, played at 1–600× with a time
 * slider. One timer while playing, none when paused or closed.
 */
export const useFleetPlaybackStore = defineStore('desk-fleet-playback', () => {
  const vehicleId = ref<number | null>(null)
  const day = ref<string | null>(null)
  const track = shallowRef<VehicleTrack | null>(null)
  const at = ref(0)
  const playing = ref(false)
  const speed = ref(60)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let timer: ReturnType<typeof setInterval> | null = null

  const start = computed(() => track.value?.properties.times[0] ?? 0)
  const end = computed(() => track.value?.properties.times.at(-1) ?? 0)
  const here = computed(() => (track.value ? positionAt(track.value, at.value) : null))

  async function open(id: number, onDay: string): Promise<void> {
    close()
    vehicleId.value = id
    day.value = onDay
    loading.value = true
    try {
      const q = `from=${encodeURIComponent(new Date(dayStart(onDay)).toISOString())}&to=${encodeURIComponent(nextDayStart(onDay))}`
      const t = await getJson<VehicleTrack>(`/api/vehicles/${id}/track?${q}`)
      if (vehicleId.value !== id || day.value !== onDay) return
      if (t.properties.times.length < 2) {
        error.value = `${onDay} 没有轨迹`
        return
      }
      track.value = t
      at.value = start.value
    } catch (err) {
      error.value = reasonOf(err)
    } finally {
      loading.value = false
    }
  }

  function play(): void {
    if (!track.value) return
    if (at.value >= end.value) at.value = start.value
    playing.value = true
    if (timer) return
    const stepMs = 100
    timer = setInterval(() => {
      at.value = Math.min(end.value, at.value + stepMs * speed.value)
      if (at.value >= end.value) pause()
    }, stepMs)
  }
  function pause(): void {
    playing.value = false
    if (timer) clearInterval(timer)
    timer = null
  }
  function seek(t: number): void {
    at.value = Math.min(end.value, Math.max(start.value, t))
  }
  function close(): void {
    pause()
    track.value = null
    vehicleId.value = null
    error.value = null
  }
  return { vehicleId, day, track, at, playing, speed, loading, error, start, end, here, open, play, pause, seek, close }
})

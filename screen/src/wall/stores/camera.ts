import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson, reasonOf } from '../../shared/api.ts'

/** GET /api/cameras/:id/stream: how to play a camera, or why it cannot be */
export interface CameraStream {
  id: number
  name: string
  kind: 'high' | 'low' | 'face'
  online: boolean
  villageName: string
  gridName: string
  stream: { url: string; format: 'hls' | 'flv' } | null
  refusal: 'none' | 'origin' | 'format' | null
}

/** The camera clicked on the wall's map: its stream as the server allows it (one camera at a time). */
export const useCameraStore = defineStore('wallCamera', () => {
  const current = shallowRef<CameraStream | null>(null)
  const error = ref<string | null>(null)
  let asked = 0
  async function open(id: number): Promise<void> {
    const mine = ++asked
    error.value = null
    try {
      const c = await getJson<CameraStream>(`/api/cameras/${id}/stream`)
      if (mine === asked) current.value = c
    } catch (err) {
      if (mine === asked) error.value = reasonOf(err)
    }
  }
  function close(): void {
    asked++
    current.value = null
    error.value = null
  }
  return { current, error, open, close }
})

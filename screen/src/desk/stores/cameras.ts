import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { deleteJson, getJson, patchJson, postJson } from '../../shared/api.ts'

export type CameraKind = 'high' | 'low' | 'face'
export const CAMERA_KINDS: { value: CameraKind; label: string }[] = [
  { value: 'high', label: '高点监控' }, { value: 'low', label: '低点监控' }, { value: 'face', label: '人脸抓拍' },
]
export const kindLabel = (k: string) => CAMERA_KINDS.find((x) => x.value === k)?.label ?? k

export interface Camera {
  id: number
  name: string
  kind: CameraKind
  lon: number
  lat: number
  gridId: number
  gridName: string
  villageId: number
  villageName: string
  online: boolean
  streamUrl: string | null
  lastSeenAt: string | null
}
export interface CameraAlert {
  id: number
  cameraId: number
  cameraName: string
  kind: CameraKind
  villageName: string
  gridName: string
  raisedAt: string
  lastSeenAt: string | null
  endedAt: string | null
  acknowledgedBy: string | null
  acknowledgedAt: string | null
}
export interface CameraFields {
  name: string
  kind: CameraKind
  lon: number
  lat: number
  streamUrl: string | null
}

/**
 * 视频监控: the town's cameras with their state (online from the video gateway's last
 * heartbeat) and the open offline alerts; the admin adds, moves, edits and deletes them.
 */
export const useCameraStore = defineStore('deskCameras', () => {
  const cameras = shallowRef<Camera[]>([])
  const total = ref(0)
  const alerts = shallowRef<CameraAlert[]>([])
  const loading = ref(false)
  const loaded = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      const [list, open] = await Promise.all([getJson<{ items: Camera[]; total: number }>('/api/cameras?limit=1000'), getJson<CameraAlert[]>('/api/cameras/alerts')])
      cameras.value = list.items
      total.value = list.total
      alerts.value = open
      loaded.value = true
    } finally {
      loading.value = false
    }
  }
  async function add(c: CameraFields): Promise<number> {
    const { id } = await postJson<{ id: number }>('/api/cameras', c)
    await load()
    return id
  }
  async function edit(id: number, patch: Partial<CameraFields>): Promise<void> {
    await patchJson(`/api/cameras/${id}`, patch)
    await load()
  }
  async function remove(id: number): Promise<void> {
    await deleteJson(`/api/cameras/${id}`)
    await load()
  }
  async function acknowledge(id: number): Promise<void> {
    await postJson(`/api/cameras/alerts/${id}/acknowledge`)
    await load()
  }
  return { cameras, total, alerts, loading, loaded, load, add, edit, remove, acknowledge }
})

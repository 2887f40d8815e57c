import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { WorkOrder, WorkOrderAction } from '../../../../geo/work-orders.ts'
import { ApiError, getJson, postFile, postJson } from '../../shared/api.ts'
import { useInboxStore } from './inbox.ts'
import { useLiveStore } from './live.ts'

export interface ActionBody {
  action: WorkOrderAction
  note?: string
  photoIds?: number[]
  villageId?: number
  departmentId?: number
  approve?: boolean
  satisfaction?: number
  /** 合并: the order kept */
  mergeInto?: number
}

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp']

/**
 * The order page's order. Its `actions` are what the server says this user may do now, so the
 * page offers exactly those; when a push says the order moved (someone else acted), the order is
 * fetched again, because the actions depend on who is asking and a push does not carry them.
 */
export const useOrderStore = defineStore('deskOrder', () => {
  const order = shallowRef<WorkOrder | null>(null)
  const loading = ref(false)
  const loadError = ref<string | null>(null)
  /** the caller's account, unmasked by a 回访 for this order only; gone when the page changes */
  const revealed = ref<{ name: string; phone: string } | null>(null)
  let unlisten: (() => void) | null = null

  // the order the page shows now: a refresh of the previous order (a live push) answering late must not replace it
  let wanted: number | null = null

  async function open(id: number): Promise<void> {
    wanted = id
    if (order.value?.id !== id) {
      order.value = null
      revealed.value = null
    }
    loading.value = true
    loadError.value = null
    try {
      const got = await getJson<WorkOrder>(`/api/work-orders/${id}`)
      if (wanted === id) order.value = got
    } catch (err) {
      if (wanted === id) loadError.value = err instanceof ApiError ? err.message : String(err)
    } finally {
      if (wanted === id) loading.value = false
    }
    unlisten ??= useLiveStore().onOrder((o) => {
      if (o.id === order.value?.id && o.stateSince !== order.value.stateSince) void open(o.id)
    })
  }

  /**
   * The page of order `id` is gone. The desk keys its view by the address, so the next order's page opens
   * (setup, `open`) before the previous one's unmount hook runs: that late close must not blank the new order.
   */
  function close(id?: number): void {
    if (id !== undefined && wanted !== id) return
    wanted = null
    unlisten?.()
    unlisten = null
    order.value = null
    revealed.value = null
  }

  /** one step of the loop; the server's answer is the order as it now is, with its next actions */
  async function act(body: ActionBody): Promise<void> {
    const id = order.value!.id
    try {
      const done = await postJson<WorkOrder>(`/api/work-orders/${id}/actions`, body)
      if (wanted === id) order.value = done
      if (body.action === 'handle') useInboxStore().noteHandled(id)
    } catch (err) {
      // the order may have moved under us (409): show it as it is now, beside the refusal
      void getJson<WorkOrder>(`/api/work-orders/${id}`).then((o) => { if (wanted === id) order.value = o }, () => {})
      throw err
    }
  }

  /** 回访: the caller's phone, for this call-back; the server writes the audit row */
  async function revealCaller(reason: string): Promise<void> {
    revealed.value = await postJson<{ name: string; phone: string }>(`/api/work-orders/${order.value!.id}/caller`, { reason })
  }

  async function uploadPhoto(file: File): Promise<number> {
    if (!PHOTO_TYPES.includes(file.type)) throw new ApiError(415, `${file.name}：只能上传 JPEG、PNG 或 WebP 图片`)
    return (await postFile<{ id: number }>('/api/photos', file, file.type)).id
  }

  return { order, loading, loadError, revealed, open, close, act, revealCaller, uploadPhoto }
})

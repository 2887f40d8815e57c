import { computed, nextTick, ref, shallowRef, watch } from 'vue'
import { postFile, postJson } from '../../shared/api.ts'
import { shrinkPhoto } from '../../shared/lib/photo.ts'
import { rememberCode } from '../codes.ts'
import { residentError } from '../labels.ts'

export const MAX_PHOTOS = 3
export const DESCRIPTION_MIN = 4
export const DESCRIPTION_MAX = 500
const PHONE = /^1[3-9]\d{9}$/

/**
 * The key the report's photos are uploaded with: 24 random bytes as base64url (32 characters).
 * The server files the photos under its hash, so only a report naming the same key may carry
 * them; a new one per report.
 */
export function newUploadKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** 一键点单: the report being written, its checks, and sending it (photos first, then the report). */
export function useReport() {
  const category = ref('')
  const description = ref('')
  const phone = ref('')
  const place = ref<[number, number] | null>(null)
  const photos = shallowRef<Blob[]>([])
  const previews = computed(() => photos.value.map((p) => URL.createObjectURL(p)))
  watch(previews, (_now, before) => before?.forEach((u) => URL.revokeObjectURL(u)))
  const progress = ref<string | null>(null)
  const error = ref<{ text: string; detail: string } | null>(null)
  const trackingCode = ref<string | null>(null)
  let uploadKey = newUploadKey()
  // a message about what was wrong goes once the resident changes something
  watch([category, description, phone, place, photos], () => (error.value = null))

  async function addPhotos(files: File[]): Promise<void> {
    const room = MAX_PHOTOS - photos.value.length
    photos.value = [...photos.value, ...(await Promise.all(files.slice(0, Math.max(0, room)).map((f) => shrinkPhoto(f))))]
    if (files.length > room) {
      await nextTick() // after the watcher that clears old messages
      error.value = { text: `最多 ${MAX_PHOTOS} 张照片，多出的没有加入`, detail: '' }
    }
  }
  function removePhoto(i: number): void {
    photos.value = photos.value.filter((_, j) => j !== i)
  }

  /** the first thing to fix, said as the form says it, or null */
  function problem(): string | null {
    if (!category.value) return '请选择问题类别'
    const n = description.value.trim().length
    if (n < DESCRIPTION_MIN) return `请描述问题，至少 ${DESCRIPTION_MIN} 个字`
    if (n > DESCRIPTION_MAX) return `问题描述最多 ${DESCRIPTION_MAX} 个字`
    if (!place.value) return '请在地图上点选问题发生的位置，或点“使用当前位置”'
    if (phone.value.trim() && !PHONE.test(phone.value.trim())) return '手机号应为 11 位数字，以 13–19 开头；不留也可以'
    return null
  }

  async function submit(): Promise<void> {
    if (progress.value) return
    const p = problem()
    error.value = p ? { text: p, detail: '' } : null
    if (p) return
    try {
      const photoIds: number[] = []
      for (const [i, photo] of photos.value.entries()) {
        progress.value = `正在上传照片 ${i + 1}/${photos.value.length}…`
        // the same bytes with the same key are the same photo: a retry after a failure adds nothing
        const { id } = await postFile<{ id: number }>('/api/public/photos', photo, photo.type || 'image/jpeg', { 'X-Upload-Key': uploadKey })
        photoIds.push(id)
      }
      progress.value = '正在提交…'
      const { trackingCode: code } = await postJson<{ trackingCode: string }>('/api/public/reports', {
        category: category.value,
        description: description.value.trim(),
        lon: place.value![0],
        lat: place.value![1],
        ...(phone.value.trim() ? { phone: phone.value.trim() } : {}),
        ...(photoIds.length ? { photoIds, uploadKey } : {}),
        // the same key again (the answer was lost on a bad line) brings back the same code, not a second order
        clientKey: uploadKey,
      })
      rememberCode(code)
      trackingCode.value = code
      window.scrollTo(0, 0)
    } catch (err) {
      error.value = residentError(err)
    } finally {
      progress.value = null
    }
  }

  /** after a report went in: a clean form and a new upload key (the category stays, it is often the same) */
  function reset(): void {
    description.value = ''
    phone.value = ''
    place.value = null
    photos.value = []
    error.value = null
    trackingCode.value = null
    uploadKey = newUploadKey()
  }

  return { category, description, phone, place, photos, previews, progress, error, trackingCode, addPhotos, removePhoto, submit, reset }
}

import { inject, onBeforeUnmount, ref, watch } from 'vue'
import { PHOTO_SOURCE, staffPhotos, type PhotoSize } from '../lib/photo-source.ts'

/**
 * A photo as an object URL that follows `id()`. The previous URL is revoked as soon as the next
 * one is made and the last when the component goes, so a screen that runs for months (the wall)
 * holds only the photos it shows. `refused` is the server's status when it would not give it.
 */
export function usePhotoUrl(id: () => number | null, size: PhotoSize) {
  const source = inject(PHOTO_SOURCE, staffPhotos)
  const url = ref<string | null>(null)
  const refused = ref<number | null>(null)
  const loading = ref(false)
  let current: string | null = null
  let asked = 0
  let gone = false

  function release(): void {
    if (current) URL.revokeObjectURL(current)
    current = null
    url.value = null
  }

  async function load(photo: number | null): Promise<void> {
    const mine = ++asked
    refused.value = null
    if (photo === null) return release()
    loading.value = true
    const got = await source(photo, size)
    // an answer that arrives after the photo changed or the component went makes no URL
    if (mine !== asked || gone) return
    loading.value = false
    if ('status' in got) {
      release()
      refused.value = got.status
      return
    }
    const next = URL.createObjectURL(got.blob)
    release()
    current = next
    url.value = next
  }

  watch(id, (photo) => void load(photo), { immediate: true })
  onBeforeUnmount(() => {
    gone = true
    release()
  })
  return { url, refused, loading }
}

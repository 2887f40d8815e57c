import type { InjectionKey } from 'vue'
import { authHeaders } from '../api.ts'

export type PhotoSize = 'thumb' | 'display'
/** a photo's bytes, or the status the server refused it with (0: no answer) */
export type PhotoResult = { blob: Blob } | { status: number }
/** where an app's photos come from: staff read them with their token, a resident by tracking code */
export type PhotoSource = (id: number, size: PhotoSize) => Promise<PhotoResult>

// Photos are behind the sign-in, and an <img src> cannot carry the bearer token (nor should the
// token ride in an address the server logs): they are fetched with the header and shown from blob URLs.
export const staffPhotos: PhotoSource = async (id, size) => {
  const res = await fetch(size === 'thumb' ? `/api/photos/${id}/thumb` : `/api/photos/${id}`, { headers: authHeaders() }).catch(() => null)
  if (!res?.ok) return { status: res?.status ?? 0 }
  return { blob: await res.blob() }
}

/** an app whose photos come from elsewhere (the residents' page) provides its own source */
export const PHOTO_SOURCE: InjectionKey<PhotoSource> = Symbol('photoSource')

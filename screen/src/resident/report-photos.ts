import type { PhotoSource } from '../shared/lib/photo-source.ts'

/**
 * A resident's own report photos, by the report's tracking code (as its status is read), with
 * no header at all: a staff token that `/m/` left on the same phone is never sent from here.
 */
export const reportPhotoSource = (code: () => string): PhotoSource => async (id, size) => {
  const res = await fetch(`/api/public/reports/${encodeURIComponent(code())}/photos/${id}${size === 'thumb' ? '/thumb' : ''}`).catch(() => null)
  if (!res?.ok) return { status: res?.status ?? 0 }
  return { blob: await res.blob() }
}

import { createHash, randomUUID } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp, { type Metadata } from 'sharp'
import type { Db } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { HttpError } from '../http/errors.ts'
import { ownVillage } from '../access/scope.ts'

/** Who uploads: a signed-in user, or a resident reporting without an account (api/public). */
export interface Uploader {
  username: string
  villageId: number | null
}

export const uploaderOf = (user: AuthUser): Uploader => ({ username: user.username, villageId: ownVillageId(user) })

const ownVillageId = (user: AuthUser) => {
  const v = ownVillage(user)
  return typeof v === 'number' ? v : null
}

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof PHOTO_TYPES)[number]
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024
/** what a screen shows: long side at most this many pixels */
const DISPLAY_PX = 1920
const THUMB_PX = 320
/** a decompression bomb (a tiny file of a gigantic image) is refused before it is decoded */
const MAX_PIXELS = 50_000_000
const MAX_PIXELS_TEXT = '50,000,000'

export interface Photo {
  id: number
  width: number
  height: number
  bytes: number
  url: string
  thumbUrl: string
  uploadedBy: string
  createdAt: string
}

const toPhoto = (r: { id: number; width: number; height: number; bytes: number; uploaded_by: string; created_at: Date | string }): Photo => ({
  id: r.id, width: r.width, height: r.height, bytes: r.bytes, url: `/api/photos/${r.id}`, thumbUrl: `/api/photos/${r.id}/thumb`,
  uploadedBy: r.uploaded_by, createdAt: new Date(r.created_at).toISOString(),
})

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  // a name of its own: the same photo sent twice at once writes the same file twice, and a
  // shared temporary name made one of the two renames fail
  const tmp = `${path}.${randomUUID()}.tmp`
  try {
    await writeFile(tmp, data)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/**
 * Where a photo's files live: named by its bytes and its uploader, so two uploaders' copies of
 * one picture never share a file, and deleting one's expired copy cannot take the other's.
 */
const fileBase = (month: string, sha256: string, uploader: string) =>
  `${month}/${createHash('sha256').update(sha256).update('\0').update(uploader).digest('hex').slice(0, 24)}`

/**
 * Stores an uploaded photo: the bytes must decode as the image type they claim. The original
 * is kept; the display copy and the thumbnail are re-encoded as JPEG without metadata (so no
 * GPS position or device serial leaks from EXIF), turned upright from the EXIF orientation.
 * The same bytes from the same user again (an offline queue replaying, or twins sent at once)
 * return the first photo, and renew it: a photo attached to nothing expires a day after it was
 * last sent (api/photos/expiry.ts). `storedBytes` is what a new photo took on disk.
 */
export async function storePhoto(
  db: Db, dir: string, mime: PhotoType, data: Buffer, user: Uploader, now = new Date(),
): Promise<{ photo: Photo; created: boolean; storedBytes: number }> {
  if (data.length === 0) throw new HttpError(400, 'body is empty: send the image bytes')
  if (data.length > MAX_PHOTO_BYTES) throw new HttpError(413, `body is ${data.length} bytes; photos may be at most ${MAX_PHOTO_BYTES}`)
  let meta: Metadata
  try {
    // only the header is read here (on a libuv thread): a bomb's size is known before any pixel is decoded
    meta = await sharp(data, { limitInputPixels: MAX_PIXELS }).metadata()
  } catch (err) {
    if (/pixel limit/.test((err as Error).message)) throw new HttpError(413, `body is an image of more than ${MAX_PIXELS_TEXT} pixels; photos may have at most that many`)
    throw new HttpError(400, `body is not a readable ${mime} image`)
  }
  const format = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' }[mime]
  if (meta.format !== format) throw new HttpError(415, `body is ${meta.format ?? 'not an image'}, not ${mime} as Content-Type says`)
  const sha256 = createHash('sha256').update(data).digest('hex')
  // an update, not a read: it waits for an expiry deleting this very row, and then finds nothing
  const again = await db.query<Parameters<typeof toPhoto>[0]>(
    'UPDATE photos SET last_sent_at = greatest(last_sent_at, $3) WHERE sha256 = $1 AND uploaded_by = $2 RETURNING *', [sha256, user.username, now.toISOString()])
  if (again.rows.length) return { photo: toPhoto(again.rows[0]), created: false, storedBytes: 0 }

  const upright = sharp(data, { limitInputPixels: MAX_PIXELS }).rotate()
  // a sound header over broken pixels (a truncated file) fails only here, and is the body's fault
  const [display, thumb] = await Promise.all([
    upright.clone().resize(DISPLAY_PX, DISPLAY_PX, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer({ resolveWithObject: true }),
    upright.clone().resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 70 }).toBuffer(),
  ]).catch(() => {
    throw new HttpError(400, `body is not a readable ${mime} image: its pixels cannot be decoded`)
  })
  const base = fileBase(now.toISOString().slice(0, 7), sha256, user.username)
  const files = { original: `${base}.orig.${format === 'jpeg' ? 'jpg' : format}`, display: `${base}.jpg`, thumb: `${base}.thumb.jpg` }
  await writeAtomically(join(dir, files.original), data)
  await writeAtomically(join(dir, files.display), display.data)
  await writeAtomically(join(dir, files.thumb), thumb)
  // twins sent at once both get here: the second finds the first's row (xmax is set by its update)
  const r = await db.query<Parameters<typeof toPhoto>[0] & { inserted: boolean }>(
    `INSERT INTO photos (sha256, mime, bytes, width, height, original, display, thumb, uploaded_by, village_id, created_at, last_sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (sha256, uploaded_by) DO UPDATE SET last_sent_at = greatest(photos.last_sent_at, excluded.last_sent_at)
     RETURNING *, (xmax = 0) AS inserted`,
    [sha256, mime, data.length, display.info.width, display.info.height, files.original, files.display, files.thumb, user.username,
      user.villageId, now.toISOString()],
  )
  const created = r.rows[0].inserted
  return { photo: toPhoto(r.rows[0]), created, storedBytes: created ? data.length + display.data.length + thumb.length : 0 }
}

import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { MAX_PHOTO_BYTES, PHOTO_TYPES, storePhoto, uploaderOf, type PhotoType } from './store.ts'
import { readPhoto } from './access.ts'
import { HttpError } from '../http/errors.ts'

/** The image itself is the body (no multipart): what a phone's fetch(blob) sends. */
export function acceptPhotoBodies(app: FastifyInstance): void {
  app.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer', bodyLimit: MAX_PHOTO_BYTES }, (_req, body, done) => done(null, body))
}

/** The image type a request says it carries, or a 415 naming the header. */
export function photoType(req: FastifyRequest): PhotoType {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim() as PhotoType
  if (!PHOTO_TYPES.includes(type)) throw new HttpError(415, `headers/content-type must be one of ${PHOTO_TYPES.join(', ')}`)
  return type
}

export const photoRoutes: FastifyPluginAsync<{ db: Db; dir: string }> = async (app, { db, dir }) => {
  acceptPhotoBodies(app)

  app.post(
    '/photos',
    {
      bodyLimit: MAX_PHOTO_BYTES,
      schema: {
        tags: ['photos'],
        summary: 'upload a photo (body: the JPEG, PNG or WebP bytes, at most 10 MB); 201, or 200 for the same bytes again',
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'photos.upload')
      const { photo, created } = await storePhoto(db, dir, photoType(req), req.body as Buffer, uploaderOf(user))
      return reply.code(created ? 201 : 200).send(photo)
    },
  )

  for (const size of ['display', 'thumb'] as const) {
    app.get<{ Params: { id: number } }>(
      size === 'thumb' ? '/photos/:id/thumb' : '/photos/:id',
      { schema: { tags: ['photos'], summary: size === 'thumb' ? 'a 320 px thumbnail, no metadata' : 'the photo re-encoded without metadata (no EXIF position)', params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }) } },
      async (req, reply) => {
        const body = await readPhoto(db, dir, req.params.id, size, requirePermission(req, 'photos.read'))
        return reply.header('Content-Type', 'image/jpeg').header('Cache-Control', 'private, max-age=86400').send(body)
      },
    )
  }
}

import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import rateLimit, { normalizeIP } from '@fastify/rate-limit'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { MAX_PHOTO_BYTES, storePhoto } from '../photos/store.ts'
import { acceptPhotoBodies, photoType } from '../photos/routes.ts'
import { HttpError } from '../http/errors.ts'
import { rateLimited, retryIn } from '../http/rate-limited.ts'
import { placeNear } from '../geo/place.ts'
import { UploadBudget } from './upload-budget.ts'
import { WORK_ORDER_STATES } from '../../geo/work-orders.ts'
import { createResidentReport, normalizeTrackingCode, rateReport, reportStatus, residentUploader } from './repository.ts'
import { readReportPhoto } from '../photos/access.ts'
import { getTown, listRoads, listVillages } from '../geo/repository.ts'
import { publicAffairs } from '../welfare/repository.ts'

/** How much one address (and one phone) may send: residents report rarely, strangers flood. */
export interface PublicLimits {
  reportsPerHour: number
  photosPerHour: number
  lookupsPerMinute: number
  ratingsPerHour: number
  /** reports with one phone from one address */
  reportsPerPhonePerHour: number
  /** bytes of photos (the upload and its re-encoded copies) one address may store a day */
  photoBytesPerDay: number
}
export const DEFAULT_PUBLIC_LIMITS: PublicLimits = {
  reportsPerHour: 10, photosPerHour: 30, lookupsPerMinute: 60, ratingsPerHour: 10, reportsPerPhonePerHour: 3, photoBytesPerDay: 100 * 1024 * 1024,
}

const UploadKey = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'a random key the page makes once per report; its photos are uploaded with it' })
const TrackingCode = Type.String({ pattern: '^[0-9A-Za-z-]{10,14}$' })
/** what happened, when, and the unit that did it (units only, never a person) */
const Steps = Type.Array(Type.Object({ label: Type.String(), at: Type.String(), unit: Type.Union([Type.String(), Type.Null()]) }))
const Status = Type.Object({
  trackingCode: Type.String(),
  categoryName: Type.String(),
  state: Type.Union(WORK_ORDER_STATES.map((s) => Type.Literal(s))),
  createdAt: Type.String(),
  steps: Steps,
  reply: Type.Union([Type.String(), Type.Null()]),
  canRate: Type.Boolean(),
  satisfaction: Type.Union([Type.Integer(), Type.Null()]),
  photoIds: Type.Array(Type.Integer(), { description: "the photos the resident sent with the report (her own only)" }),
  outcome: Type.Union([Type.Literal('invalid'), Type.Literal('merged'), Type.Null()]),
  reopened: Type.Boolean(),
  mergedInto: Type.Union([Type.Object({ orderId: Type.Integer(), state: Type.Union(WORK_ORDER_STATES.map((s) => Type.Literal(s))), steps: Steps }), Type.Null()]),
})

/**
 * The residents' channel (一键点单 and 拍拍板): no account, so every route is public, small,
 * validated field by field and rate-limited per address; a report is reachable only by its
 * tracking code, and what comes back is states and times, never anyone's name or data.
 */
export const publicRoutes: FastifyPluginAsync<{ db: Db; photosDir: string; limits?: Partial<PublicLimits> }> = async (app, { db, photosDir, limits }) => {
  const l = { ...DEFAULT_PUBLIC_LIMITS, ...limits }
  await app.register(rateLimit, { global: false, errorResponseBuilder: (_req, ctx) => rateLimited(null, { max: ctx.max, ttlSeconds: Math.ceil(ctx.ttl / 1000) }) })
  // Reports per phone are counted per address too: counted per phone alone, anyone could block
  // a resident's number by sending reports with it, and learn from the refusal that it reported
  // lately. So the count says nothing about anyone but the sender, and its refusal is the
  // per-address one word for word.
  const perPhone = app.createRateLimit({
    max: l.reportsPerPhonePerHour, timeWindow: '1 hour',
    keyGenerator: (req) => `${normalizeIP(req.ip)} ${(req.body as { phone?: string }).phone}`,
  })
  const uploads = new UploadBudget(l.photoBytesPerDay)
  const overBudget = (reply: FastifyReply, retryAfterSeconds: number) => {
    reply.header('retry-after', retryAfterSeconds)
    return new HttpError(429, `this address has stored its ${Math.round(l.photoBytesPerDay / 1024 / 1024)} MB of photos for the day; retry in ${retryIn(retryAfterSeconds)}`, 'upload_budget')
  }
  acceptPhotoBodies(app)
  const perAddress = (max: number, timeWindow: string) => ({ public: true, rateLimit: { max, timeWindow } })

  app.get(
    '/public/categories',
    {
      config: perAddress(l.lookupsPerMinute, '1 minute'),
      schema: { tags: ['residents'], summary: 'what a resident may report about', response: { 200: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })) } },
    },
    async () => (await db.query<{ code: string; name: string }>('SELECT code, name FROM work_order_categories ORDER BY position')).rows,
  )

  // the township's outline, roads and villages: public geography, so a resident can tap where the problem is
  app.get(
    '/public/basemap',
    {
      config: perAddress(l.lookupsPerMinute, '1 minute'),
      schema: { tags: ['residents'], summary: "the town's outline, villages and roads for the residents' map (public geography, no people data)" },
    },
    async (_req, reply) => {
      const [town, roads, villages] = await Promise.all([getTown(db), listRoads(db), listVillages(db)])
      // a system going live: no town, or none with its villages imported yet (the page says so)
      if (!town?.geometry) throw new HttpError(404, 'the town has no outline yet: its village boundaries are not imported', 'basemap_not_ready')
      const publicVillages = { ...villages, features: villages.features.map((f) => ({ ...f, properties: { id: f.properties.id, name: f.properties.name, label: f.properties.label } })) }
      return reply.header('Cache-Control', 'public, max-age=3600').send({ town, roads, villages: publicVillages })
    },
  )

  // a point a resident tapped, said as a place (api/geo/place.ts): street without house number, or village and grid
  app.get<{ Querystring: { lon: number; lat: number } }>(
    '/public/place',
    {
      config: perAddress(l.lookupsPerMinute, '1 minute'),
      schema: {
        tags: ['residents'],
        summary: 'a map point as a place people know (the nearest street without its house number, or village and grid); null outside the town',
        querystring: Type.Object({ lon: Type.Number({ minimum: -180, maximum: 180 }), lat: Type.Number({ minimum: -90, maximum: 90 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ place: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (req) => ({ place: await placeNear(db, req.query.lon, req.query.lat) }),
  )

  // 三务公开: what a village published, the same for everyone (so cacheable): notices by their
  // titles (their bodies are free text and stay on the village's board) and the months of
  // payments a leader published, as sums per category
  const Figure = { category: Type.String(), amountYuan: Type.Number(), recipients: Type.Integer() }
  app.get<{ Params: { id: number } }>(
    '/public/villages/:id/affairs',
    {
      config: perAddress(l.lookupsPerMinute, '1 minute'),
      schema: {
        tags: ['residents'],
        summary: "三务公开: a village's published notices (category, title, date) and published months of 民生资金 (sums per category); no person, no free text",
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        response: {
          200: Type.Object({
            village: Type.Object({ id: Type.Integer(), name: Type.String() }),
            notices: Type.Array(Type.Object({ category: Type.String(), title: Type.String(), publishedAt: Type.String() })),
            payments: Type.Array(Type.Object({
              month: Type.String(), publishedAt: Type.String(), totalYuan: Type.Number(), recipients: Type.Integer(), funds: Type.Array(Type.Object(Figure)),
            })),
          }),
        },
      },
    },
    async (req, reply) => reply.header('Cache-Control', 'public, max-age=300').send(await publicAffairs(db, req.params.id)),
  )

  app.post<{ Headers: { 'x-upload-key'?: string } }>(
    '/public/photos',
    {
      bodyLimit: MAX_PHOTO_BYTES,
      config: perAddress(l.photosPerHour, '1 hour'),
      // an address with nothing left is refused before its 10 MB are read
      onRequest: async (req, reply) => {
        const wait = uploads.exhausted(normalizeIP(req.ip))
        if (wait !== null) throw overBudget(reply, wait)
      },
      schema: {
        tags: ['residents'],
        summary: 'a photo for a resident report (JPEG, PNG or WebP body, at most 10 MB), with the X-Upload-Key the report will carry; 429 upload_budget past an address\'s bytes for the day',
        response: { 201: Type.Object({ id: Type.Integer() }), 200: Type.Object({ id: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const key = req.headers['x-upload-key']
      if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(key)) throw new HttpError(400, 'headers/x-upload-key must be 16 to 64 letters, digits, - or _')
      const body = req.body as Buffer
      const address = normalizeIP(req.ip)
      const taken = uploads.take(address, body.length)
      if (!taken.ok) throw overBudget(reply, taken.retryAfterSeconds)
      let stored = 0
      try {
        const { photo, created, storedBytes } = await storePhoto(db, photosDir, photoType(req), body, residentUploader(key))
        stored = storedBytes
        return reply.code(created ? 201 : 200).send({ id: photo.id })
      } finally {
        uploads.adjust(address, stored - body.length)
      }
    },
  )

  app.post<{ Body: { category: string; description: string; lon: number; lat: number; phone?: string; photoIds?: number[]; uploadKey?: string; clientKey?: string } }>(
    '/public/reports',
    {
      bodyLimit: 16 * 1024,
      config: perAddress(l.reportsPerHour, '1 hour'),
      schema: {
        tags: ['residents'],
        summary: '一键点单: a resident reports a problem without an account; 201 with the tracking code to follow it',
        body: Type.Object(
          {
            category: Type.String({ pattern: '^[a-zA-Z]{2,32}$' }),
            description: Type.String({ minLength: 4, maxLength: 500 }),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            phone: Type.Optional(Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'a mainland mobile number for the call-back' })),
            photoIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), { maxItems: 3 })),
            uploadKey: Type.Optional(UploadKey),
            clientKey: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'the page\'s key for this report: sent again, the same tracking code comes back (200)' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ trackingCode: Type.String() }), 200: Type.Object({ trackingCode: Type.String() }) },
      },
    },
    async (req, reply) => {
      const limitPhone = async () => {
        const r = await perPhone(req)
        if (!r.isAllowed && r.isExceeded) throw rateLimited(reply, { max: r.max, ttlSeconds: r.ttlInSeconds })
      }
      const { trackingCode, created } = await createResidentReport(db, req.body, limitPhone)
      return reply.code(created ? 201 : 200).send({ trackingCode })
    },
  )

  app.get<{ Params: { trackingCode: string } }>(
    '/public/reports/:trackingCode',
    {
      config: perAddress(l.lookupsPerMinute, '1 minute'),
      schema: {
        tags: ['residents'],
        summary: "a report's status by its tracking code: states and times only",
        params: Type.Object({ trackingCode: TrackingCode }),
        response: { 200: Status },
      },
    },
    async (req) => reportStatus(db, req.params.trackingCode),
  )

  // her own photos on the status page: an <img> of the page cannot send a header, so the page
  // fetches them like the status itself (the code in the path) and shows them from blob URLs
  for (const size of ['display', 'thumb'] as const) {
    app.get<{ Params: { trackingCode: string; id: number } }>(
      size === 'thumb' ? '/public/reports/:trackingCode/photos/:id/thumb' : '/public/reports/:trackingCode/photos/:id',
      {
        config: perAddress(l.lookupsPerMinute, '1 minute'),
        schema: {
          tags: ['residents'],
          summary: size === 'thumb' ? "a 320 px thumbnail of a photo the resident sent with her report" : 'a photo the resident sent with her report, re-encoded without metadata',
          params: Type.Object({ trackingCode: TrackingCode, id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        },
      },
      async (req, reply) => {
        const body = await readReportPhoto(db, photosDir, normalizeTrackingCode(req.params.trackingCode), req.params.id, size)
        return reply.header('Content-Type', 'image/jpeg').header('Cache-Control', 'private, max-age=86400').send(body)
      },
    )
  }

  app.post<{ Params: { trackingCode: string }; Body: { satisfaction: number; comment?: string } }>(
    '/public/reports/:trackingCode/rating',
    {
      bodyLimit: 8 * 1024,
      config: perAddress(l.ratingsPerHour, '1 hour'),
      schema: {
        tags: ['residents'],
        summary: '拍拍板: the resident rates the answer, once, after it was given (409 before, and after rating)',
        params: Type.Object({ trackingCode: TrackingCode }),
        body: Type.Object(
          { satisfaction: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 300 })) },
          { additionalProperties: false },
        ),
        response: { 200: Status },
      },
    },
    async (req) => rateReport(db, req.params.trackingCode, req.body.satisfaction, req.body.comment),
  )
}

import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { acknowledgeCameraAlert, createCamera, deleteCamera, getCamera, heartbeat, listCameraAlerts, listCameras, patchCamera, type CameraKind, type CameraPatch, type NewCamera } from './repository.ts'
import { checkStreamUrl, streamVerdict } from './stream.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Kind = Type.Union([Type.Literal('high'), Type.Literal('low'), Type.Literal('face')], { description: 'high 高点, low 低点, face 人脸' })
const Name = Type.String({ minLength: 1, maxLength: 40, pattern: '\\S' })
const Lon = Type.Number({ minimum: -180, maximum: 180 })
const Lat = Type.Number({ minimum: -90, maximum: 90 })
const StreamUrl = Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
  description: 'an HLS (.m3u8) or HTTP-FLV (.flv) address: a path on this server (/streams/…) or an origin in CAMERA_STREAM_ORIGINS; null clears it',
})
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Camera = Type.Object({
  id: Type.Integer(), name: Type.String(), kind: Type.String(), lon: Type.Number(), lat: Type.Number(), gridId: Type.Integer(), gridName: Type.String(),
  villageId: Type.Integer(), villageName: Type.String(), online: Type.Boolean(), streamUrl: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
})
const Alert = Type.Object({
  id: Type.Integer(), cameraId: Type.Integer(), cameraName: Type.String(), kind: Type.String(), villageName: Type.String(), gridName: Type.String(),
  raisedAt: Type.String(), lastSeenAt: Nullable(Type.String()), endedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.String()), acknowledgedAt: Nullable(Type.String()),
})
const Placed = Type.Object({ id: Type.Integer(), gridId: Type.Integer() })

/**
 * Cameras (监控) as managed things: the admin keeps them on the desk's map, an intranet video
 * gateway (a `device` account) reports each alive, the command center watches their state and
 * offline alerts, and a wall asks for one camera's stream to play it.
 */
export const cameraRoutes: FastifyPluginAsync<{ db: Db; streamOrigins: readonly string[] }> = async (app, { db, streamOrigins }) => {
  const manage = { onRequest: async (req: Parameters<typeof requirePermission>[0]) => void requirePermission(req, 'cameras.manage') }

  app.get<{ Querystring: { kind?: CameraKind; village?: number; online?: boolean; q?: string; limit: number; offset: number } }>(
    '/cameras',
    {
      schema: {
        tags: ['cameras'], summary: 'the cameras of your county or town with their state, last heartbeat and stream address, newest first',
        querystring: Type.Object({
          kind: Type.Optional(Kind), village: Type.Optional(Id), online: Type.Optional(Type.Boolean()), q: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }), offset: Type.Integer({ minimum: 0, default: 0 }),
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Camera), total: Type.Integer() }) },
      },
    },
    async (req) => listCameras(db, requirePermission(req, 'cameras.monitor'), req.query),
  )

  app.get<{ Querystring: { open: boolean; limit: number } }>(
    '/cameras/alerts',
    {
      schema: {
        tags: ['cameras'], summary: 'offline alerts (离线告警), newest first: open ones (the camera is still silent) unless open=false',
        querystring: Type.Object({ open: Type.Boolean({ default: true }), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }),
        response: { 200: Type.Array(Alert) },
      },
    },
    async (req) => listCameraAlerts(db, requirePermission(req, 'cameras.monitor'), req.query),
  )

  app.post<{ Params: { id: number } }>(
    '/cameras/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['cameras'], summary: '确认: the center has seen an offline alert (it ends when the camera is heard again)',
        params: Type.Object({ id: Id }), response: { 200: Type.Object({ id: Type.Integer() }) },
      },
    },
    async (req) => {
      await acknowledgeCameraAlert(db, requirePermission(req, 'cameras.monitor'), req.params.id)
      return { id: req.params.id }
    },
  )

  app.get<{ Params: { id: number } }>(
    '/cameras/:id/stream',
    {
      schema: {
        tags: ['cameras'],
        summary: "what a wall plays when a camera is clicked: its stream (HLS or HTTP-FLV, from this server's origin or one in CAMERA_STREAM_ORIGINS) " +
          'or why not (refusal none: no stream configured; origin: not an address the screens may fetch; format: not HLS or HTTP-FLV)',
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            id: Type.Integer(), name: Type.String(), kind: Type.String(), online: Type.Boolean(), villageName: Type.String(), gridName: Type.String(),
            stream: Type.Union([Type.Object({ url: Type.String(), format: Type.Union([Type.Literal('hls'), Type.Literal('flv')]) }), Type.Null()]),
            refusal: Type.Union([Type.Literal('none'), Type.Literal('origin'), Type.Literal('format'), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const c = await getCamera(db, requirePermission(req, 'cameras.watch'), req.params.id)
      const v = streamVerdict(c.streamUrl, streamOrigins, req.headers.host)
      return {
        id: c.id, name: c.name, kind: c.kind, online: c.online, villageName: c.villageName, gridName: c.gridName,
        stream: 'url' in v ? v : null, refusal: 'refusal' in v ? v.refusal : null,
      }
    },
  )

  app.post<{ Body: NewCamera }>(
    '/cameras',
    {
      ...manage,
      schema: {
        tags: ['cameras'], summary: 'a camera at a point (WGS-84), in the current grid there (base grids first; 422 outside_grids); offline until its gateway reports it',
        body: Type.Object({ name: Name, kind: Kind, lon: Lon, lat: Lat, streamUrl: Type.Optional(StreamUrl) }, { additionalProperties: false }),
        response: { 201: Placed },
      },
    },
    async (req, reply) => {
      const streamUrl = checkStreamUrl(req.body.streamUrl)
      return reply.code(201).send(await createCamera(db, { ...req.body, name: req.body.name.trim(), streamUrl }))
    },
  )

  app.patch<{ Params: { id: number }; Body: CameraPatch }>(
    '/cameras/:id',
    {
      ...manage,
      schema: {
        tags: ['cameras'], summary: 'rename, re-kind, move (lon and lat together: the grid follows) or change the stream of a camera',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          { name: Type.Optional(Name), kind: Type.Optional(Kind), lon: Type.Optional(Lon), lat: Type.Optional(Lat), streamUrl: Type.Optional(StreamUrl) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Placed },
      },
    },
    async (req) => {
      const b = req.body
      return patchCamera(db, req.params.id, { ...b, name: b.name?.trim(), ...(b.streamUrl !== undefined ? { streamUrl: checkStreamUrl(b.streamUrl) } : {}) })
    },
  )

  app.delete<{ Params: { id: number } }>(
    '/cameras/:id',
    { ...manage, schema: { tags: ['cameras'], summary: 'a camera taken down: gone from the map and the counts, with its heartbeats and alerts', params: Type.Object({ id: Id }) } },
    async (req, reply) => {
      await deleteCamera(db, req.params.id)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { id: number } }>(
    '/cameras/:id/heartbeat',
    {
      // a gateway's account, refused before anything else is read
      onRequest: async (req) => void requirePermission(req, 'cameras.heartbeat'),
      schema: {
        tags: ['cameras'], summary: 'the video gateway hears a camera (a device account, its token in the Authorization header): online now; ' +
          `silent for CAMERA_OFFLINE_MINUTES it goes offline with an alert`,
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ id: Type.Integer(), online: Type.Boolean(), cameBack: Type.Boolean() }) },
      },
    },
    async (req) => heartbeat(db, req.params.id),
  )
}

import Fastify, { type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Db } from './db/types.ts'
import { geoRoutes } from './geo/routes.ts'
import { townRoutes } from './towns/routes.ts'
import { healthRoutes } from './health.ts'
import { errorBody, registerErrorHandling } from './http/errors.ts'
import { formatSchemaErrors } from './http/schema-errors.ts'
import { rejectNonFiniteNumbers } from './http/finite-numbers.ts'
import { rejectNulCharacters } from './http/no-nul.ts'
import { serializeRequest } from './http/log.ts'
import { registerApiDocs } from './http/docs.ts'
import { SCREEN_DIST } from './screen/build.ts'
import { type ScreenState, screenRoutes } from './screen/static.ts'
import helmet from 'helmet'
import { registerAuthentication } from './auth/plugin.ts'
import { authRoutes } from './auth/routes.ts'
import { peopleRoutes } from './people/routes.ts'
import { statsRoutes } from './stats/routes.ts'
import { searchRoutes } from './search/routes.ts'
import { attachSocketServer } from './realtime/socket.ts'
import { pushDataChanges } from './realtime/changes.ts'
import { useRedisAdapter } from './realtime/redis-adapter.ts'
import { createTileService } from './tiles/service.ts'
import { tileRoutes } from './tiles/routes.ts'
import { createVehicleService, type VehicleService, type VehicleSettings } from './vehicles/service.ts'
import { vehicleRoutes } from './vehicles/routes.ts'
import { terminalRoutes } from './terminals/routes.ts'
import { parameterRoutes } from './terminals/parameter-routes.ts'
import { startTerminalCommands } from './terminals/commands.ts'
import { fleetRoutes } from './vehicles/fleet-routes.ts'
import { storeVehicleMedia } from './vehicles/media.ts'
import { workOrderRoutes } from './work-orders/routes.ts'
import { photoRoutes } from './photos/routes.ts'
import { startPhotoExpiry, type PhotoExpiry, type PhotoRetention } from './photos/expiry.ts'
import { publicRoutes, type PublicLimits } from './public/routes.ts'
import { userRoutes } from './users/routes.ts'
import { populationRoutes } from './population/routes.ts'
import { departmentImportRoutes } from './imports/department-routes.ts'
import { gridEditorRoutes } from './grid-editor/routes.ts'
import { boundaryRoutes } from './boundaries/routes.ts'
import { populationImportRoutes } from './imports/population-routes.ts'
import type { IdentityLimits } from './access/allowance.ts'
import { ledgerRoutes } from './ledgers/routes.ts'
import { ledgerTagRoutes } from './ledgers/tag-routes.ts'
import { cameraRoutes } from './cameras/routes.ts'
import { fleetRegisterRoutes } from './fleet/routes.ts'
import { fleetImportRoutes } from './fleet/import-routes.ts'
import { DEFAULT_CAMERA_SETTINGS, startCameraWatch, type CameraSettings, type CameraWatch } from './cameras/watch.ts'
import { noticeRoutes } from './notices/routes.ts'
import { starRoutes } from './stars/routes.ts'
import { welfareRoutes } from './welfare/routes.ts'
import { welfareImportRoutes } from './welfare/import-routes.ts'
import { disputeRoutes } from './disputes/routes.ts'
import { wallRoutes } from './walls/routes.ts'
import { exportRoutes } from './exports/routes.ts'
import { setupRoutes } from './setup/routes.ts'
import { userImportRoutes } from './users/import-routes.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startJt808Gateway, type Jt808Gateway, type Jt808Options } from './gateways/jt808/gateway.ts'

declare module 'fastify' {
  interface FastifyInstance {
    jt808: Jt808Gateway | null
    vehicles: VehicleService
    photos: PhotoExpiry
    cameras: CameraWatch
  }
}

export interface ServerOptions {
  db: Db
  /** pino options; a stream lets tests read what was logged */
  logger?: boolean | { level: string; stream?: { write(line: string): void } }
  tileCacheEntries?: number
  /** sign-in attempts per client IP per minute */
  loginRateLimit?: number
  /** how often open sockets' tokens are checked again (logout, expiry) */
  socketRecheckMs?: number
  /** live vehicle tick, alert rules, retention; defaults suit the township */
  vehicles?: Partial<VehicleSettings>
  /** socket.io rooms shared with the other API processes through this Redis (REDIS_URL) */
  redisUrl?: string
  /** where uploaded photos are kept (DATA_DIR/photos); a temporary folder when not given */
  photosDir?: string
  /** the build walls compare with their own, to reload themselves after an update (default: 'dev') */
  version?: string
  /** what one account may learn about identities per hour and day (tests lower them) */
  identityLimits?: Partial<IdentityLimits>
  /** how long photos attached to nothing are kept, and how often the expiry runs */
  photoRetention?: Partial<PhotoRetention>
  /** what one address may send to the residents' channel (tests lower them) */
  publicLimits?: Partial<PublicLimits>
  /**
   * The load balancers in front (TRUST_PROXY): their addresses or CIDR ranges, or how many hops.
   * Only then is X-Forwarded-For believed, so the per-address limits, throttles and audit rows
   * see the resident's or user's address, not the balancer's; without it nobody can spoof one.
   */
  trustProxy?: string | number
  /** how long 拍照 (POST /api/vehicles/:id/snapshot) waits for the photo; 30 s */
  snapshotTimeoutMs?: number
  /** how long a command to a terminal (parameters, tracking) waits for its answer; 10 s */
  terminalCommandTimeoutMs?: number
  /** the JT/T 808 TCP gateway (JT808_PORT); off when not given (API-only tests) */
  jt808?: Jt808Options
  /** the cameras' offline rule and where walls may play their streams from */
  cameras?: Partial<CameraSettings>
  /** Serve the built screen at /; off in API-only tests. */
  screen?: { distDir?: string; state: ScreenState }
}

/** Builds the whole HTTP app without listening, so tests drive it with app.inject or port 0. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // the request log never carries a token, whatever the address holds
    logger: opts.logger ? { ...(opts.logger === true ? {} : opts.logger), serializers: { req: serializeRequest } } : false,
    // a hop count trusts that many proxies in front of the socket, whatever their addresses
    trustProxy: typeof opts.trustProxy === 'number' ? (_addr: string, hop: number) => hop < (opts.trustProxy as number) : (opts.trustProxy ?? false),
    bodyLimit: 1024 * 1024,
    // Validation messages name the field: "querystring/grid must be integer".
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false, strictNumbers: true } },
    schemaErrorFormatter: formatSchemaErrors,
  }).withTypeProvider<TypeBoxTypeProvider>()

  registerErrorHandling(app)
  rejectNonFiniteNumbers(app)
  rejectNulCharacters(app)

  const cameras = { ...DEFAULT_CAMERA_SETTINGS, ...opts.cameras }
  // Security headers, built once: @fastify/helmet re-parses the whole CSP on every request,
  // which was a seventh of the API's CPU per tile.
  const securityHeaders = helmet({
    // The screen's own scripts only, no inline ones; maplibre and deck.gl run workers from
    // our origin or from blobs; styles may be set inline by the map libraries.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        // cameras' streams: this origin (proxied), blobs (a player's MediaSource) and the video
        // gateways the operator named (CAMERA_STREAM_ORIGINS); nothing else, whatever is stored
        mediaSrc: ["'self'", 'blob:', ...cameras.streamOrigins],
        connectSrc: ["'self'", ...cameras.streamOrigins],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // intranet HTTP deployments are common; HSTS would lock a plain-HTTP wall out
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)))
  const sessions = registerAuthentication(app, opts.db)
  const version = opts.version ?? 'dev'
  const io = attachSocketServer(app, sessions, opts.socketRecheckMs, version)
  if (opts.redisUrl) app.addHook('onClose', await useRedisAdapter(io, opts.redisUrl, app.log))
  const vehicles = await createVehicleService(opts.db, io, app.log, opts.vehicles)
  const photosDir = opts.photosDir ?? join(tmpdir(), `shuzhi-photos-${process.pid}`)
  const photos = startPhotoExpiry(opts.db, photosDir, app.log, opts.photoRetention)
  app.decorate('photos', photos)
  app.addHook('onClose', async () => photos.close())
  const cameraWatch = startCameraWatch(opts.db, app.log, cameras)
  app.decorate('cameras', cameraWatch)
  app.addHook('onClose', async () => cameraWatch.close())
  let jt808: Jt808Gateway | null = null
  if (opts.jt808) {
    const gateway = (jt808 = await startJt808Gateway(opts.db, (positions, o) => vehicles.ingest(positions, o), app.log, opts.jt808, {
      storeMedia: (binding, phone, m) => storeVehicleMedia(opts.db, photosDir, {
        vehicleId: binding.vehicleId, phone, mediaId: m.mediaId, channel: m.channel, event: m.event,
        takenAt: m.location.time, lon: m.location.flags.positioned ? m.location.lon : null, lat: m.location.flags.positioned ? m.location.lat : null,
        withAlarm: m.event !== 0 || m.location.alarm !== 0, jpeg: m.data,
      }),
      alarms: (report) => vehicles.reportedAlarms(report),
    }))
    vehicles.onDispatch((order) => gateway.sendDispatch(order))
    // the gateway stops before the vehicle service it stores through
    app.addHook('preClose', async () => gateway.close())
  }
  app.decorate('jt808', jt808)
  // commands for terminals run here or on the process that holds the terminal's connection
  const commands = await startTerminalCommands(opts.db, jt808, app.log)
  app.addHook('onClose', async () => commands.close())
  app.decorate('vehicles', vehicles)
  app.addHook('onClose', async () => vehicles.close())
  const stopPushingChanges = await pushDataChanges(opts.db, io)
  app.addHook('onClose', stopPushingChanges)

  await app.register(swagger, {
    openapi: {
      info: { title: '数智网格 API', version: '0.1.0', description: '网格化基层治理指挥中心' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  await registerApiDocs(app)

  const tiles = await createTileService(opts.db, opts.tileCacheEntries ?? 20_000)
  app.addHook('onClose', async () => tiles.close())

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { db: opts.db, version })
      await api.register(authRoutes, { db: opts.db, sessions, loginRateLimit: opts.loginRateLimit ?? 20 })
      await api.register(peopleRoutes, { db: opts.db })
      await api.register(statsRoutes, { db: opts.db })
      await api.register(searchRoutes, { db: opts.db })
      await api.register(geoRoutes, { db: opts.db })
      await api.register(townRoutes, { db: opts.db })
      await api.register(tileRoutes, { tiles })
      await api.register(vehicleRoutes, { db: opts.db, vehicles })
      await api.register(terminalRoutes, { db: opts.db, gateway: jt808 })
      const commandTimeoutMs = opts.terminalCommandTimeoutMs ?? 10_000
      await api.register(fleetRoutes, { db: opts.db, commands, snapshotTimeoutMs: opts.snapshotTimeoutMs ?? 30_000, commandTimeoutMs })
      await api.register(parameterRoutes, { db: opts.db, commands, commandTimeoutMs })
      await api.register(workOrderRoutes, { db: opts.db })
      await api.register(photoRoutes, { db: opts.db, dir: photosDir })
      await api.register(publicRoutes, { db: opts.db, photosDir, limits: opts.publicLimits })
      await api.register(userRoutes, { db: opts.db, sessions })
      await api.register(populationRoutes, { db: opts.db, identityLimits: opts.identityLimits })
      await api.register(departmentImportRoutes, { db: opts.db, identityLimits: opts.identityLimits })
      await api.register(boundaryRoutes, { db: opts.db })
      await api.register(populationImportRoutes, { db: opts.db, identityLimits: opts.identityLimits })
      await api.register(gridEditorRoutes, { db: opts.db, sessions })
      await api.register(ledgerRoutes, { db: opts.db })
      await api.register(ledgerTagRoutes, { db: opts.db })
      await api.register(cameraRoutes, { db: opts.db, streamOrigins: cameras.streamOrigins })
      await api.register(noticeRoutes, { db: opts.db })
      await api.register(starRoutes, { db: opts.db })
      await api.register(welfareRoutes, { db: opts.db })
      await api.register(welfareImportRoutes, { db: opts.db, identityLimits: opts.identityLimits })
      await api.register(disputeRoutes, { db: opts.db })
      await api.register(wallRoutes, { db: opts.db, version, pairRateLimit: opts.loginRateLimit ?? 20 })
      await api.register(exportRoutes, { db: opts.db })
      await api.register(setupRoutes, { db: opts.db })
      await api.register(userImportRoutes, { db: opts.db })
      await api.register(fleetRegisterRoutes, { db: opts.db })
      await api.register(fleetImportRoutes, { db: opts.db })
    },
    { prefix: '/api' },
  )

  if (opts.screen) await app.register(screenRoutes(opts.screen.distDir ?? SCREEN_DIST, opts.screen.state))
  else app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody(404, `route ${req.method} ${req.url.split('?')[0]} not found`)))

  return app
}

import { resolve } from 'node:path'
import { parseStreamOrigins } from './cameras/stream.ts'

export interface Config {
  port: number
  host: string
  dataDir: string
  databaseUrl?: string
  /** the demo township loaded on a first start (FIXTURES_DIR, default ./fixtures); null: start empty for production (FIXTURES_DIR=none) */
  fixturesDir: string | null
  /** the first admin's password on an empty start (ADMIN_PASSWORD); random and printed once when unset */
  adminPassword?: string
  /** the demo accounts' password (DEMO_PASSWORD); random and printed once when unset */
  demoPassword?: string
  /** PGLITE_SEED=1: a fresh PGlite data dir starts from the cached seed (api/db/seed.ts), made on the first such start */
  pgliteSeed: boolean
  simulator: boolean
  logLevel: string
  /** Tiles kept in memory; 0 turns the cache off (benchmarks of uncached throughput). */
  tileCacheEntries: number
  /** PostgreSQL connections per API process */
  pgPoolMax: number
  /** uploaded photos (PHOTOS_DIR, default DATA_DIR/photos); on shared storage when several processes run */
  photosDir: string
  /** hours a photo attached to nothing is kept after it was last sent (PHOTO_ORPHAN_HOURS) */
  photoOrphanHours: number
  /** socket.io's Redis adapter joins the rooms of several API processes; unset for one process */
  redisUrl?: string
  /** TCP port of the JT/T 808 gateway for vehicle terminals (8808; `off` turns it off, 0 picks a free one) */
  jt808Port?: number
  /** TRUST_PROXY: the load balancers' addresses or CIDRs (comma-separated), or a hop count; unset: none */
  trustProxy?: string | number
  /** An optional external basemap tile URL template (e.g. 天地图 on the intranet); never required. */
  basemapTileUrl?: string
  cameras: {
    /** CAMERA_OFFLINE_MINUTES: a camera the gateway has not heard this long is offline */
    offlineMinutes: number
    /** CAMERA_STREAM_ORIGINS: the video gateways' origins walls may play from (comma-separated), besides this server */
    streamOrigins: string[]
  }
  vehicles: {
    tickMs: number
    historyDays: number
    speedLimitKmh: number
    offlineAfterSeconds: number
  }
}

function intFrom(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key} must be an integer in [${min}, ${max}], got "${raw}"`)
  return n
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const adminPassword = env.ADMIN_PASSWORD || undefined
  // the API refuses passwords under 8 characters; the first admin's is no exception
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) throw new Error('ADMIN_PASSWORD must be 8 to 128 characters')
  return {
    port: intFrom(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    fixturesDir: env.FIXTURES_DIR === 'none' ? null : resolve(env.FIXTURES_DIR || new URL('../fixtures/', import.meta.url).pathname),
    adminPassword,
    demoPassword: env.DEMO_PASSWORD || undefined,
    pgliteSeed: env.PGLITE_SEED === '1',
    simulator: (env.SIMULATOR ?? 'on') !== 'off',
    logLevel: env.LOG_LEVEL || 'info',
    tileCacheEntries: intFrom(env, 'TILE_CACHE_ENTRIES', 20_000, 0, 10_000_000),
    pgPoolMax: intFrom(env, 'PG_POOL_MAX', 10, 1, 1000),
    redisUrl: env.REDIS_URL || undefined,
    photosDir: resolve(env.PHOTOS_DIR || `${env.DATA_DIR || './data'}/photos`),
    photoOrphanHours: intFrom(env, 'PHOTO_ORPHAN_HOURS', 24, 1, 24 * 30),
    jt808Port: env.JT808_PORT === 'off' ? undefined : intFrom(env, 'JT808_PORT', 8808, 0, 65535),
    basemapTileUrl: env.BASEMAP_TILE_URL || undefined,
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    cameras: {
      offlineMinutes: intFrom(env, 'CAMERA_OFFLINE_MINUTES', 5, 1, 1440),
      streamOrigins: parseStreamOrigins(env.CAMERA_STREAM_ORIGINS),
    },
    vehicles: {
      // 100 ms: a fix reaches the wall within ~0.1 s (p99 69 ms with 2,000 trucks and 50 screens,
      // npm run bench -- live); at 250 ms the p99 was 274 ms
      tickMs: intFrom(env, 'VEHICLE_TICK_MS', 100, 20, 10_000),
      historyDays: intFrom(env, 'VEHICLE_HISTORY_DAYS', 180, 1, 3650),
      speedLimitKmh: intFrom(env, 'VEHICLE_SPEED_LIMIT_KMH', 60, 10, 200),
      offlineAfterSeconds: intFrom(env, 'VEHICLE_OFFLINE_SECONDS', 300, 10, 86_400),
    },
  }
}

/** "10.0.0.5,10.0.0.0/8" (addresses or ranges) or "1" (hops); `true` would believe any client, so it is refused */
function trustProxyFrom(raw: string | undefined): string | number | undefined {
  const v = raw?.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v)
  if (/^(true|yes|on|\*)$/i.test(v)) throw new Error('TRUST_PROXY must name the load balancers (addresses or CIDR ranges) or a hop count, not trust every client')
  return v
}

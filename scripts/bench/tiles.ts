// Tile route throughput against real PostGIS: the HTTP route (uncached, then cached)
// versus the same ST_AsMVT query sent straight through pg, in one run.
import pg from 'pg'
import { openPostgres } from '../../api/db/postgres.ts'
import { migrate } from '../../api/db/migrate.ts'
import { isLoaded, loadFixtures } from '../../api/db/fixtures.ts'
import { Pool } from 'undici'
import { startApiProcess } from './api-process.ts'
import { mvtSql } from '../../api/tiles/postgis.ts'
import { tilesCovering } from '../../geo/tile-math.ts'
import type { TileLayer, TownFeature } from '../../geo/types.ts'
import type { TileStats } from '../../api/tiles/service.ts'
import { combine, fmt, type LoadResult, runLoad } from './load.ts'

const CONCURRENCY = 16
const SECONDS = Number(process.env.BENCH_SECONDS || 12)
const ROUNDS = 3

export async function benchTiles(databaseUrl: string): Promise<void> {
  // Load the township once (migrations + fixtures), as the API would on first start.
  const db = await openPostgres({ connectionString: databaseUrl })
  await migrate(db)
  if (!(await isLoaded(db))) await loadFixtures(db)
  await db.close()

  const pgEnv = { DATABASE_URL: databaseUrl, PG_POOL_MAX: String(CONCURRENCY) }
  const uncached = await startApiProcess({ ...pgEnv, TILE_CACHE_ENTRIES: '0' })
  const auth = { Authorization: `Bearer ${uncached.token}` }
  const town = (await (await fetch(`${uncached.origin}/api/town`, { headers: auth })).json()) as TownFeature
  const tiles: { layer: TileLayer; z: number; x: number; y: number }[] = []
  const bbox = town.properties.bbox!
  for (const z of [12, 13, 14]) for (const t of tilesCovering(bbox, z)) tiles.push({ layer: 'grids', ...t })
  for (const t of tilesCovering(bbox, 14)) tiles.push({ layer: 'households', ...t })
  console.log(`tiles: ${tiles.length} distinct tiles (grids z12–14, households z14), concurrency ${CONCURRENCY}, ${SECONDS} s each; API in its own process`)

  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY })
  // Warm PostgreSQL's buffers and plans once so neither side pays for a cold cache.
  const q = (t: (typeof tiles)[number], prepared: boolean) =>
    pool.query({ text: mvtSql(t.layer), values: [t.z, t.x, t.y], name: prepared ? `mvt_${t.layer}` : undefined })
  // Warm-up doubles as a check: the route must return exactly the bytes ST_AsMVT does.
  let nonEmpty = 0
  for (const t of tiles) {
    const direct = (await q(t, false)).rows[0].tile as Buffer
    const viaRoute = Buffer.from(await (await fetch(`${uncached.origin}/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`, { headers: auth })).arrayBuffer())
    if (!viaRoute.equals(direct)) throw new Error(`tile ${t.layer}/${t.z}/${t.x}/${t.y} differs between route (${viaRoute.length} bytes) and direct query (${direct.length} bytes)`)
    if (direct.length) nonEmpty++
  }
  console.log(`  route and direct query return identical bytes for all ${tiles.length} tiles (${nonEmpty} non-empty)`)
  // The three loads take turns in rounds, so drift over the run (autovacuum, the CPU's clock,
  // a neighbour on the host) falls on all of them alike instead of on whichever ran last.
  const rounds = { direct: [] as LoadResult[], prepared: [] as LoadResult[], route: [] as LoadResult[] }
  for (let r = 0; r < ROUNDS; r++) {
    rounds.direct.push(await runLoad(async (i) => void (await q(tiles[i % tiles.length], false)), CONCURRENCY, SECONDS / ROUNDS))
    rounds.prepared.push(await runLoad(async (i) => void (await q(tiles[i % tiles.length], true)), CONCURRENCY, SECONDS / ROUNDS))
    rounds.route.push(await loadTiles(uncached.origin, uncached.token, tiles, SECONDS / ROUNDS))
  }
  await pool.end()
  const direct = combine(rounds.direct)
  const prepared = combine(rounds.prepared)
  const route = combine(rounds.route)
  console.log(`  (${ROUNDS} interleaved rounds of ${SECONDS / ROUNDS} s per load)`)
  console.log(`  direct ST_AsMVT via pg (baseline): ${fmt(direct)}`)
  console.log(`  same, prepared statement:          ${fmt(prepared)}`)
  console.log(`  tile route, cache off:             ${fmt(route)}`)
  if (route.errors) throw new Error(`the tile route failed ${route.errors} times under load: no ratio to print`)
  console.log(`  ratio route/direct (uncached):     ${(route.perSecond / direct.perSecond).toFixed(2)}  (target ≥ 0.80)`)
  console.log(`  ratio route/direct prepared:       ${(route.perSecond / prepared.perSecond).toFixed(2)}  (the route prepares its statement too)`)
  const admin = await uncached.login('admin')
  const stats = (await (await fetch(`${uncached.origin}/api/tiles/stats`, { headers: { Authorization: `Bearer ${admin}` } })).json()) as TileStats
  console.log(`  the route's statements:            ${stats.statements} for ${stats.renders} tiles rendered, ${(stats.renders / stats.statements!).toFixed(1)} tiles per statement (tiles asked for in the same turn share one)`)
  await uncached.stop()

  const cached = await startApiProcess(pgEnv)
  for (const t of tiles) await (await fetch(`${cached.origin}/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`, { headers: { Authorization: `Bearer ${cached.token}` } })).arrayBuffer()
  const hot = await loadTiles(cached.origin, cached.token, tiles, SECONDS)
  console.log(`  tile route, cached:                ${fmt(hot)}`)
  console.log(`  ratio cached/direct:               ${(hot.perSecond / direct.perSecond).toFixed(2)}`)
  await cached.stop()
}

async function loadTiles(origin: string, token: string, tiles: { layer: TileLayer; z: number; x: number; y: number }[], seconds: number) {
  // undici's Pool through its low-level dispatch API: on two cores the load generator competes
  // with the API and PostgreSQL for CPU, so it should cost per request no more than pg's
  // client costs the direct side (undici's request() with its body stream cost 1.5–2× as much here).
  const client = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 })
  const headers = { authorization: `Bearer ${token}` }
  const result = await runLoad(async (i) => {
    const t = tiles[i % tiles.length]
    const status = await get(client, `/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`, headers)
    if (status !== 200) throw new Error(String(status))
  }, CONCURRENCY, seconds)
  await client.close()
  return result
}

/** GET, reading the whole body; resolves with the status. */
function get(client: Pool, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0
    client.dispatch({ method: 'GET', path, headers }, {
      onConnect() {},
      onHeaders(statusCode) {
        status = statusCode
        return true
      },
      onData: () => true,
      onComplete: () => resolve(status),
      onError: reject,
    })
  })
}

// Tile route throughput against real PostGIS: the HTTP route (uncached, then cached)
// versus the same ST_AsMVT query sent straight through pg, in one run.
import pg from 'pg'
import { openPostgres } from '../../api/db/postgres.ts'
import { migrate } from '../../api/db/migrate.ts'
import { isLoaded, loadFixtures } from '../../api/db/fixtures.ts'
import { buildServer } from '../../api/server.ts'
import { mvtSql } from '../../api/tiles/postgis.ts'
import { tilesCovering } from '../../geo/tile-math.ts'
import type { TileLayer, TownFeature } from '../../geo/types.ts'
import { fmt, runLoad } from './load.ts'

const CONCURRENCY = 16
const SECONDS = Number(process.env.BENCH_SECONDS || 10)

export async function benchTiles(databaseUrl: string): Promise<void> {
  const db = await openPostgres({ connectionString: databaseUrl, max: CONCURRENCY })
  await migrate(db)
  if (!(await isLoaded(db))) await loadFixtures(db)

  const uncached = await buildServer({ db, tileCacheEntries: 0 })
  await uncached.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(uncached.server.address() as { port: number }).port}`
  const town = (await (await fetch(`${base}/api/town`)).json()) as TownFeature
  const tiles: { layer: TileLayer; z: number; x: number; y: number }[] = []
  for (const z of [12, 13, 14]) for (const t of tilesCovering(town.properties.bbox, z)) tiles.push({ layer: 'grids', ...t })
  for (const t of tilesCovering(town.properties.bbox, 14)) tiles.push({ layer: 'households', ...t })
  console.log(`tiles: ${tiles.length} distinct tiles (grids z12–14, households z14), concurrency ${CONCURRENCY}, ${SECONDS} s each`)

  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY })
  const direct = await runLoad(async (i) => {
    const t = tiles[i % tiles.length]
    await pool.query(mvtSql(t.layer), [t.z, t.x, t.y])
  }, CONCURRENCY, SECONDS)
  console.log(`  direct ST_AsMVT via pg (baseline): ${fmt(direct)}`)

  const route = await runLoad(async (i) => {
    const t = tiles[i % tiles.length]
    const res = await fetch(`${base}/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`)
    if (res.status !== 200) throw new Error(String(res.status))
    await res.arrayBuffer()
  }, CONCURRENCY, SECONDS)
  console.log(`  tile route, cache off:             ${fmt(route)}`)
  console.log(`  ratio route/direct (uncached):     ${(route.perSecond / direct.perSecond).toFixed(2)}  (target ≥ 0.80)`)
  await uncached.close()

  const cachedApp = await buildServer({ db, tileCacheEntries: 100_000 })
  await cachedApp.listen({ port: 0, host: '127.0.0.1' })
  const cbase = `http://127.0.0.1:${(cachedApp.server.address() as { port: number }).port}`
  for (const t of tiles) await (await fetch(`${cbase}/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`)).arrayBuffer()
  const cached = await runLoad(async (i) => {
    const t = tiles[i % tiles.length]
    const res = await fetch(`${cbase}/api/tiles/${t.layer}/${t.z}/${t.x}/${t.y}.mvt`)
    if (res.status !== 200) throw new Error(String(res.status))
    await res.arrayBuffer()
  }, CONCURRENCY, SECONDS)
  console.log(`  tile route, cached:                ${fmt(cached)}`)
  console.log(`  ratio cached/direct:               ${(cached.perSecond / direct.perSecond).toFixed(2)}`)
  await cachedApp.close()
  await pool.end()
  await db.close()
}

// Going live (底数导入) at county scale, through the routes of an API in its own process on
// PostgreSQL, each against a plain bulk insert (COPY) of the same rows in the same run:
// - a town's map: 20 villages and 1,000 grids (onboarding-grids.ts);
// - 公安's 标准地址 list: BENCH_ONBOARD_HOUSEHOLDS households (default 27,000; half located at
//   points inside the grids, half waiting to be placed with their village), dry run and apply;
// - a 户籍 list of BENCH_ONBOARD_RESIDENTS people (default 100,000, ~10 MB of CSV) in them,
//   with two data items each: dry run (the file checked alone, then its ID numbers against the
//   register) and apply (one transaction, history rows, care groups, roll-ups).
// While each import runs, an anonymous request (refused 401 before any database work) is sent
// every 20 ms: its slowest answer is how long the API's event loop was held.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { makeIdNumber } from '../../geo/id-number.ts'
import { Rng } from '../../geo/random.ts'
import { startApiProcess } from './api-process.ts'
import { benchOnboardingGrids } from './onboarding-grids.ts'

const HOUSEHOLDS = Number(process.env.BENCH_ONBOARD_HOUSEHOLDS || 27_000)
const RESIDENTS = Number(process.env.BENCH_ONBOARD_RESIDENTS || 100_000)
const NAME = 'onboarding_bench'
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗'
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华'

const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`

export async function benchOnboarding(clusterUrl: string): Promise<void> {
  const admin = new pg.Pool({ connectionString: clusterUrl, max: 1 })
  await admin.query(`DROP DATABASE IF EXISTS ${NAME}`)
  await admin.query(`CREATE DATABASE ${NAME}`)
  await admin.end()
  const url = clusterUrl.replace(/\/[^/]*$/, `/${NAME}`)
  let s = performance.now()
  // the demo township's geography (its 208 grids) is where the new households go
  const api = await startApiProcess({ DATABASE_URL: url })
  console.log(`onboarding: API on PostgreSQL with the demo township, up in ${((performance.now() - s) / 1000).toFixed(0)} s`)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const token = await api.login('admin')
    const rng = new Rng(2027)
    // first the map (a town of its own beside the demo's), then the households and people
    await benchOnboardingGrids(client, (path, file, type) => timed(api.origin, token, path, file, type))

    // 标准地址: points inside the base grids, every other household without coordinates
    const points = (await client.query<{ lon: number; lat: number; village: string }>(
      `SELECT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, v.code AS village
         FROM grids g JOIN villages v ON v.id = g.village_id, ST_Dump(ST_GeneratePoints(g.geom, ${Math.ceil(HOUSEHOLDS / 200)}, 7)) p
        WHERE g.kind = 'base' AND NOT EXISTS (SELECT 1 FROM grids x WHERE x.kind = 'exclusive' AND ST_Covers(x.geom, p.geom))`)).rows
    const households = Array.from({ length: HOUSEHOLDS }, (_, i) => {
      const p = points[i % points.length]
      const code = `37139900${String(i + 1).padStart(6, '0')}`
      const address = `示范县某镇某村${Math.floor(i / 50) + 1}组${(i % 50) + 1}号`
      return { code, address, lon: i % 2 ? '' : p.lon.toFixed(7), lat: i % 2 ? '' : p.lat.toFixed(7), village: p.village }
    })
    const householdLines = households.map((h) => `${h.code},${h.address},${h.lon},${h.lat},${h.village}`)
    await client.query('CREATE TABLE households_baseline (LIKE households INCLUDING ALL)')
    s = performance.now()
    await pipeline(Readable.from([households.map((h) => `${h.code},${h.address},${(/(\d+)号$/.exec(h.address) ?? ['', ''])[1]},${h.lon ? `SRID=4326;POINT(${h.lon} ${h.lat}),1` : ','},1`).join('\n') + '\n']),
      client.query(copyFrom('COPY households_baseline (code, address, house_number, geom, grid_id, village_id) FROM STDIN WITH (FORMAT csv)')))
    const householdCopyMs = performance.now() - s
    const householdFile = Buffer.from(['户号,地址,经度,纬度,村', ...householdLines].join('\n'))
    const hDry = await timed(api.origin, token, '/api/imports/households?dryRun=1', householdFile)
    const hApply = await timed(api.origin, token, '/api/imports/households', householdFile)
    const hAgain = await timed(api.origin, token, '/api/imports/households', householdFile)
    if (hApply.body.created !== HOUSEHOLDS || hAgain.body.unchanged !== HOUSEHOLDS) throw new Error(`households import went wrong: ${JSON.stringify(hApply.body).slice(0, 300)}`)
    console.log(`  households import of ${HOUSEHOLDS.toLocaleString('en')} rows (${(householdFile.length / 1e6).toFixed(1)} MB, ${hApply.body.placed.toLocaleString('en')} located):`)
    console.log(`    plain COPY of the rows          ${ms(householdCopyMs)}   (baseline)`)
    for (const [label, r] of [['dry run (check and preview)', hDry], ['apply (one transaction)', hApply], ['the same file again', hAgain]] as const) {
      console.log(`    ${label.padEnd(31)} ${ms(r.ms)}   ${(r.ms / householdCopyMs).toFixed(1)}× COPY; slowest answer meanwhile ${r.stall.toFixed(0)} ms`)
    }

    // 户籍: ~3.7 people a household, new ID numbers (a region the demo does not use), two items each
    const people = Array.from({ length: RESIDENTS }, (_, i) => {
      const born = new Date(Date.UTC(1940, 0, 1) + rng.int(0, 80 * 365) * 86_400_000).toISOString().slice(0, 10)
      const idNumber = makeIdNumber('371399', born, i % 1000)
      const male = Number(idNumber[16]) % 2 === 1
      const name = SURNAMES[rng.int(0, SURNAMES.length - 1)] + GIVEN[rng.int(0, GIVEN.length - 1)] + (rng.chance(0.5) ? GIVEN[rng.int(0, GIVEN.length - 1)] : '')
      const household = households[Math.floor((i * HOUSEHOLDS) / RESIDENTS)]
      return { idNumber, name, gender: male ? '男' : '女', born, relation: i % 4 ? '子女' : '户主', code: household.code, phone: `139${String(i).padStart(8, '0')}`, subsistence: i % 25 === 0 ? '是' : '否' }
    })
    // two births on one day with one sequence would be one number: the file must hold each once
    const unique = [...new Map(people.map((p) => [p.idNumber, p])).values()]
    const residentFile = Buffer.from(['身份证号,姓名,性别,出生日期,与户主关系,户号,联系电话,民族,低保',
      ...unique.map((p) => `${p.idNumber},${p.name},${p.gender},${p.born},${p.relation},${p.code},${p.phone},汉族,${p.subsistence}`)].join('\n'))
    const ids = new Map((await client.query<{ id: number; code: string }>('SELECT id, code FROM households WHERE code IS NOT NULL')).rows.map((h) => [h.code, h.id]))
    await client.query('CREATE TABLE residents_baseline (LIKE residents INCLUDING ALL)')
    s = performance.now()
    await pipeline(Readable.from([unique.map((p) =>
      `${ids.get(p.code)},${p.name},${p.gender},${p.born},${p.idNumber},${p.phone},${p.relation},false,"{""ethnicity"":""汉族"",""subsistence"":${p.subsistence === '是'}}"`).join('\n') + '\n']),
      client.query(copyFrom('COPY residents_baseline (household_id, name, gender, birth_date, id_number, phone, relation, party_member, items) FROM STDIN WITH (FORMAT csv)')))
    const copyMs = performance.now() - s
    const before = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM residents')).rows[0].n)
    const dry = await timed(api.origin, token, '/api/imports/residents?dryRun=1', residentFile)
    const apply = await timed(api.origin, token, '/api/imports/residents', residentFile)
    const after = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM residents')).rows[0].n)
    const drift = (await client.query<{ rolled: string; counted: string }>(
      `SELECT (SELECT sum(residents) FROM grid_rollup) AS rolled,
              (SELECT count(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.grid_id IS NOT NULL AND r.deregistered IS NULL) AS counted`)).rows[0]
    if (apply.status !== 200 || after - before !== unique.length || drift.rolled !== drift.counted) {
      throw new Error(`residents import went wrong: ${apply.status} ${JSON.stringify(apply.body).slice(0, 300)}; ${after - before} registered; roll-ups ${drift.rolled} vs ${drift.counted}`)
    }
    console.log(`  residents import of ${unique.length.toLocaleString('en')} rows (${(residentFile.length / 1e6).toFixed(1)} MB) into ${apply.body.households.toLocaleString('en')} households:`)
    console.log(`    plain COPY of the rows          ${ms(copyMs)}   (baseline)`)
    for (const [label, r] of [['dry run (check and preview)', dry], ['apply (one transaction)', apply]] as const) {
      console.log(`    ${label.padEnd(31)} ${ms(r.ms)}   ${(r.ms / copyMs).toFixed(1)}× COPY; slowest answer meanwhile ${r.stall.toFixed(0)} ms`)
    }
    console.log(`    roll-ups after the import equal a recount (${Number(drift.counted).toLocaleString('en')} residents in grids)`)
  } finally {
    await client.end()
    await api.stop()
  }
}

/** One import through the route, with an anonymous request every 20 ms meanwhile (its slowest answer). */
async function timed(origin: string, token: string, path: string, file: Buffer, type = 'text/csv'): Promise<{ ms: number; status: number; body: Record<string, number>; stall: number }> {
  let running = true
  let stall = 0
  const probe = (async () => {
    while (running) {
      const t = performance.now()
      // refused by the auth gate at once: nothing but the event loop stands between it and its answer
      await fetch(`${origin}/api/stats`).catch(() => undefined)
      stall = Math.max(stall, performance.now() - t)
      await new Promise((r) => setTimeout(r, 20))
    }
  })()
  const s = performance.now()
  const res = await fetch(`${origin}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type, 'x-file-name': 'bench.csv' }, body: new Uint8Array(file),
  })
  const body = (await res.json()) as Record<string, number>
  const elapsed = performance.now() - s
  running = false
  await probe
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 400)}`)
  return { ms: elapsed, status: res.status, body, stall }
}

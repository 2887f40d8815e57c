// 人口双实 at county scale: a county of ~1,000,000 residents (the township generated 6 times
// over, its people copied until the million is reached), then
// - a department's import of 100,000 rows (身份证号,数据项,值): dry run and apply, against a
//   plain COPY of the same rows into a table in the same run;
// - the ledger (台账) of a village with the overdue filter, against a plain SELECT of the
//   village's ledger people (no follow-up dates) in the same run.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { AuthUser } from '../../api/auth/roles.ts'
import { importDepartmentData } from '../../api/imports/department-data.ts'
import { tableReader } from '../../api/imports/table-reader.ts'
import { ledgerRows } from '../../api/ledgers/repository.ts'
import { buildCountyDb } from './county.ts'
import { percentile } from './load.ts'

const RESIDENTS = Number(process.env.BENCH_RESIDENTS || 1_000_000)
const ROWS = Number(process.env.BENCH_IMPORT_ROWS || 100_000)
const RUNS = Number(process.env.BENCH_RUNS || 40)
const admin: AuthUser = { id: 0, username: 'bench', displayName: 'bench', role: 'admin', villageId: null, gridId: null, departmentId: null, scope: { level: 'county' } }

export async function benchPopulation(clusterUrl: string): Promise<void> {
  const t0 = performance.now()
  const { db, url } = await buildCountyDb(clusterUrl, 'population_bench')
  // copies of the generated people (new ID numbers, same households and tags) up to the million
  await db.exec(`
    INSERT INTO residents (household_id, name, gender, birth_date, id_number, phone, relation, party_member, items)
    SELECT r.household_id, r.name, r.gender, r.birth_date, 'B' || lpad(n::text, 8, '0') || substr(r.id_number, 10), r.phone, r.relation, r.party_member, r.items
      FROM generate_series(1, ${RESIDENTS} - (SELECT count(*) FROM residents)) n
      JOIN residents r ON r.id = 1 + (n % (SELECT max(id) FROM residents WHERE id_number NOT LIKE 'B%'));
    INSERT INTO resident_tags (resident_id, kind, tag)
    SELECT c.id, t.kind, t.tag FROM residents c
      JOIN residents o ON o.id = 1 + (substr(c.id_number, 2, 8)::int % (SELECT max(id) FROM residents WHERE id_number NOT LIKE 'B%'))
      JOIN resident_tags t ON t.resident_id = o.id
     WHERE c.id_number LIKE 'B%' ON CONFLICT DO NOTHING;
    ANALYZE residents; ANALYZE resident_tags; ANALYZE household_visits;`)
  const counts = (await db.query<{ residents: number; villages: number; tags: number }>(
    'SELECT (SELECT count(*)::int FROM residents) AS residents, (SELECT count(*)::int FROM villages) AS villages, (SELECT count(*)::int FROM resident_tags) AS tags')).rows[0]
  console.log(`population: ${counts.residents.toLocaleString('en')} residents, ${counts.tags.toLocaleString('en')} ledger tags, ${counts.villages} villages, built in ${((performance.now() - t0) / 1000).toFixed(0)} s`)

  // 民政局's 低保 list: 100,000 people, every other one flipped
  const civil = (await db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '民政局'`)).rows[0].id
  const people = (await db.query<{ id_number: string; v: boolean | null }>(
    `SELECT id_number, (items ->> 'subsistence')::boolean AS v FROM residents ORDER BY id DESC LIMIT ${ROWS}`)).rows
  const lines = people.map((p, i) => `${p.id_number},低保,${(i % 2 === 0) !== (p.v === true) ? '是' : '否'}`)
  const csv = Buffer.from(['身份证号,数据项,值', ...lines].join('\n'))

  // baseline: the same rows COPYed into a table, the least any import must do
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('CREATE UNLOGGED TABLE copy_baseline (id_number text, item text, value text)')
  let s = performance.now()
  await pipeline(Readable.from([lines.join('\n') + '\n']), client.query(copyFrom(`COPY copy_baseline FROM STDIN WITH (FORMAT csv)`)))
  const copyMs = performance.now() - s
  await client.end()

  s = performance.now()
  const table = await tableReader.read(csv, 'csv', { maxRows: 200_000, maxLines: 210_000 })
  const parseMs = performance.now() - s
  s = performance.now()
  const dry = await importDepartmentData(db, table, civil, admin, { name: 'bench.csv', bytes: csv }, true)
  const dryMs = performance.now() - s
  s = performance.now()
  const applied = await importDepartmentData(db, table, civil, admin, { name: 'bench.csv', bytes: csv }, false)
  const applyMs = performance.now() - s
  s = performance.now()
  const again = await importDepartmentData(db, table, civil, admin, { name: 'bench.csv', bytes: csv }, false)
  const againMs = performance.now() - s
  if (dry.errors.length || applied.changed !== dry.changed || again.changed !== 0) throw new Error(`import went wrong: ${JSON.stringify({ dry: dry.errors.slice(0, 3), changed: applied.changed, again: again.changed })}`)
  console.log(`  department import of ${ROWS.toLocaleString('en')} rows (${applied.changed.toLocaleString('en')} changes):`)
  console.log(`    plain COPY of the rows          ${copyMs.toFixed(0).padStart(7)} ms   (baseline)`)
  console.log(`    parse (worker thread)           ${parseMs.toFixed(0).padStart(7)} ms   ${(parseMs / copyMs).toFixed(1)}× COPY`)
  console.log(`    dry run (check and preview)     ${dryMs.toFixed(0).padStart(7)} ms   ${(dryMs / copyMs).toFixed(1)}× COPY`)
  console.log(`    apply (one transaction)         ${applyMs.toFixed(0).padStart(7)} ms   ${(applyMs / copyMs).toFixed(1)}× COPY`)
  console.log(`    the same file again (no change) ${againMs.toFixed(0).padStart(7)} ms   ${(againMs / copyMs).toFixed(1)}× COPY`)

  // the ledger of a village, overdue only, against a plain select of its ledger people
  const villages = (await db.query<{ id: number }>('SELECT id FROM villages ORDER BY id')).rows.map((v) => v.id)
  const plain = (village: number) => db.query(
    `SELECT r.id, r.name, t.tag FROM resident_tags t JOIN residents r ON r.id = t.resident_id JOIN households h ON h.id = r.household_id
       JOIN grids g ON g.id = h.grid_id WHERE g.village_id = $1 AND r.deregistered IS NULL ORDER BY r.id LIMIT 100`, [village])
  const ledger = (village: number) => ledgerRows(db, { villageId: village, overdue: true, limit: 100, offset: 0 }, admin)
  const time = async (run: (village: number) => Promise<unknown>) => {
    await run(villages[0])
    const times: number[] = []
    for (let k = 1; k <= RUNS; k++) {
      const t = performance.now()
      await run(villages[k % villages.length])
      times.push(performance.now() - t)
    }
    return percentile(times.sort((a, b) => a - b), 95)
  }
  const plainP95 = await time(plain)
  const ledgerP95 = await time(ledger)
  const sample = await ledger(villages[1])
  console.log(`  ledger of a village, overdue only (${sample.total.toLocaleString('en')} overdue of its people in village ${villages[1]}), p95 over ${RUNS} villages:`)
  console.log(`    plain SELECT of its ledger people ${plainP95.toFixed(1).padStart(7)} ms   (baseline)`)
  console.log(`    GET /api/ledgers?village&overdue  ${ledgerP95.toFixed(1).padStart(7)} ms   ${(ledgerP95 / plainP95).toFixed(1)}× the plain select`)
  await db.close()
}

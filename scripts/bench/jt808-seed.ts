// The bench's trucks and their terminals, 1..count, with auth codes as if each had registered
// once in its life: thousands of registrations from one address would be held to the gateway's
// per-address budget, and a database a previous run left has them registered already (a
// registration then gets result 3).
import pg from 'pg'
import { demoEdition, demoTerminalPhone } from '../../api/terminals/demo.ts'
import { simulatedUnit } from '../../api/gateways/jt808/terminal-client.ts'

/**
 * Returns the prefix of this run's auth codes: terminal v signs in with `${prefix}${v}`.
 * `signedInBefore`: each has signed in with its code before (a fleet reconnecting after a
 * restart of the platform), so a sign-in is a lookup and no write.
 */
export async function seedBenchTerminals(databaseUrl: string, count: number, signedInBefore = false): Promise<string> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  try {
    await pool.query(
      `INSERT INTO vehicles (id, plate, kind, name, driver_name)
       SELECT i, '鲁Q·T' || lpad(i::text, 5, '0'), 'garbageTruck', i || '号清运车', '测试'
       FROM generate_series(1, $1::int) i ON CONFLICT (id) DO NOTHING`,
      [count],
    )
    const ids = Array.from({ length: count }, (_, i) => i + 1)
    const phones = ids.map((v) => demoTerminalPhone(v, demoEdition(v)))
    const unit = simulatedUnit(phones[0])
    await pool.query(
      // bound as the bench's units say they are (their default registration), should one register
      `INSERT INTO terminals (phone, vehicle_id, created_by, terminal_id, maker_id, model, plate)
       SELECT u.*, s.terminal_id, s.maker_id, s.model, s.plate FROM unnest($1::text[], $2::int[], $3::text[]) AS u(phone, vehicle_id, created_by),
              LATERAL (SELECT right(u.phone, 7) AS terminal_id, $4::text AS maker_id, $5::text AS model, $6::text AS plate) s
       ON CONFLICT DO NOTHING`,
      [phones, ids, ids.map(() => 'bench'), unit.makerId, unit.model, unit.plate],
    )
    const prefix = `bench-${Date.now().toString(36)}-`
    await pool.query(
      `UPDATE terminals t SET auth_code = u.code, authenticated_at = CASE WHEN $3 THEN now() END FROM unnest($1::text[], $2::text[]) AS u(phone, code) WHERE t.phone = u.phone`,
      [phones, ids.map((v) => `${prefix}${v}`), signedInBefore],
    )
    return prefix
  } finally {
    await pool.end()
  }
}

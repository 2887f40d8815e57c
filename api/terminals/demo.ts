import type { Db } from '../db/types.ts'
import type { Edition } from '../gateways/jt808/header.ts'
import { simulatedUnit } from '../gateways/jt808/terminal-client.ts'
import { isProduction } from '../setup/deployment.ts'

/** The demo terminals' IDs: 2013 terminals send 12 digits, 2019 ones 20 (leading zeros kept). */
export function demoTerminalPhone(vehicleId: number, edition: Edition): string {
  const twelve = `0${13_800_000_000 + vehicleId}`
  return edition === 2019 ? `00000000${twelve}` : twelve
}

/** Half the demo fleet has 2019-edition terminals, half 2013 ones. */
export const demoEdition = (vehicleId: number): Edition => (vehicleId % 2 ? 2019 : 2013)

/**
 * Binds a demo terminal to every truck the first time the system starts with none bound, so
 * the simulator's trucks can report over JT/T 808. Each binding names the simulated unit and
 * its truck's plate, as an installer's would, and the simulator's units say just that when
 * they register. A deployment unbinds them and binds its real terminals (POST /api/terminals);
 * once any terminal exists nothing is added, and nothing ever in a production database (its
 * trucks get their real terminals, not made-up ones).
 */
export async function ensureDemoTerminals(db: Db): Promise<number> {
  if (await isProduction(db)) return 0
  const any = await db.query('SELECT 1 FROM terminals LIMIT 1')
  if (any.rows.length) return 0
  const vehicles = (await db.query<{ id: number; plate: string }>('SELECT id, plate FROM vehicles ORDER BY id')).rows
  if (!vehicles.length) return 0
  const units = vehicles.map((v) => ({ phone: demoTerminalPhone(v.id, demoEdition(v.id)), vehicleId: v.id, plate: v.plate }))
    .map((u) => ({ ...u, ...simulatedUnit(u.phone, u.plate) }))
  await db.query(
    `INSERT INTO terminals (phone, vehicle_id, created_by, terminal_id, maker_id, model, plate)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
    [units.map((u) => u.phone), units.map((u) => u.vehicleId), units.map(() => 'demo'), units.map((u) => u.terminalId),
      units.map((u) => u.makerId), units.map((u) => u.model), units.map((u) => u.plate)],
  )
  return vehicles.length
}

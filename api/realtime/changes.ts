import type { Server } from 'socket.io'
import type { Db } from '../db/types.ts'

/** Tables whose changes move the figures on the screen's panels. */
export const PANEL_TABLES: ReadonlySet<string> = new Set([
  'towns', 'villages', 'grids', 'households', 'residents', 'resident_tags', 'cameras', 'disputes',
  'party_activities', 'welfare_funds', 'notices', 'star_reviews', 'work_orders', 'household_visits',
  // the desk's list of cameras' offline alerts
  'camera_alerts',
  // the fleet register (车辆与设施): a truck or point added on the desk reaches the wall's panel and map
  'vehicles', 'collection_points', 'transfer_stations',
])

/**
 * Tells screens that governance data changed (any process, any client, psql by hand: the
 * triggers of migration 004 NOTIFY data_changed), so panels refresh at once instead of
 * waiting for their timer. Bursts (an import of thousands of rows) become one push every half
 * second: a newborn registered on a phone shows on the wall within 2 s.
 */
export async function pushDataChanges(db: Db, io: Server, quietMs = 500): Promise<() => Promise<void>> {
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | null = null
  const stop = await db.listen('data_changed', (table) => {
    if (!PANEL_TABLES.has(table)) return
    pending.add(table)
    timer ??= setTimeout(() => {
      timer = null
      // wall screens and people alike; the payload names tables only, never data
      io.local.except('devices').emit('dataChanged', { tables: [...pending] })
      pending.clear()
    }, quietMs)
  })
  return async () => {
    if (timer) clearTimeout(timer)
    await stop()
  }
}

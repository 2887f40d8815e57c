import type { Db } from '../db/types.ts'
import { hashPassword, randomPassword } from './password.ts'
import { insertUsers, type NewUser } from './repository.ts'

/**
 * The embedded demo's accounts: admin, leader, dispatcher, display, device, cadre-<villageId>
 * for every village and gw-<gridId> for every grid. They share one password (DEMO_PASSWORD,
 * or a random one printed once) and therefore one scrypt hash: 230 separate hashes would
 * add seconds to the first start for no gain, since knowing one password is knowing all.
 * Real users made with `npm run user:add` get their own salt.
 */
export async function ensureDemoAccounts(db: Db, demoPassword?: string): Promise<{ created: number; password?: string }> {
  const existing = await db.query<{ n: number }>('SELECT count(*) AS n FROM users')
  if (existing.rows[0].n > 0) return { created: 0 }
  const password = demoPassword || randomPassword()
  const passwordHash = await hashPassword(password)
  const villages = await db.query<{ id: number; name: string }>('SELECT id, name FROM villages ORDER BY id')
  const grids = await db.query<{ id: number; name: string; village: string; worker: string }>(
    'SELECT g.id, g.name, v.name AS village, g.grid_worker_name AS worker FROM grids g JOIN villages v ON v.id = g.village_id ORDER BY g.id',
  )
  const users: NewUser[] = [
    { username: 'admin', displayName: '系统管理员', role: 'admin', passwordHash },
    { username: 'leader', displayName: '镇领导', role: 'leader', passwordHash },
    { username: 'dispatcher', displayName: '调度员', role: 'dispatcher', passwordHash },
    { username: 'display', displayName: '指挥中心大屏', role: 'display', passwordHash },
    { username: 'device', displayName: '车载终端接入', role: 'device', passwordHash },
    ...villages.rows.map((v) => ({ username: `cadre-${v.id}`, displayName: `${v.name}村干部`, role: 'villageCadre' as const, villageId: v.id, passwordHash })),
    ...grids.rows.map((g) => ({ username: `gw-${g.id}`, displayName: `${g.village}${g.name} ${g.worker}`, role: 'gridWorker' as const, gridId: g.id, passwordHash })),
  ]
  await insertUsers(db, users)
  return { created: users.length, password: demoPassword ? undefined : password }
}

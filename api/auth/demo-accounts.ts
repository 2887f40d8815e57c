import type { Db } from '../db/types.ts'
import { hashPassword, randomPassword } from './password.ts'
import { insertUsers, type NewUser } from './repository.ts'
import { isProduction } from '../setup/deployment.ts'

/**
 * The embedded demo's accounts: admin, leader, dispatcher, display, device, cadre-<villageId>
 * for every village and gw-<gridId> for every grid. They share one password (DEMO_PASSWORD,
 * or a random one printed once) and therefore one scrypt hash: 230 separate hashes would
 * add seconds to the first start for no gain, since knowing one password is knowing all.
 * Real users made with `npm run user:add` get their own salt. None in a production database.
 */
export async function ensureDemoAccounts(db: Db, demoPassword?: string): Promise<{ created: number; password?: string }> {
  // a township's own accounts are its admin's to make; shared-password ones never appear in it
  if (await isProduction(db)) return { created: 0 }
  const existing = await db.query<{ n: number }>('SELECT count(*) AS n FROM users')
  if (existing.rows[0].n > 0) return { created: await addDepartmentAccounts(db) }
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
    ...(await departmentAccounts(db, passwordHash)),
  ]
  await insertUsers(db, users)
  return { created: users.length, password: demoPassword ? undefined : password }
}

/** dept-<departmentId> for each county department (部门报到) */
async function departmentAccounts(db: Db, passwordHash: string): Promise<NewUser[]> {
  const departments = await db.query<{ id: number; name: string }>('SELECT id, name FROM departments ORDER BY id')
  return departments.rows.map((d) => ({ username: `dept-${d.id}`, displayName: `${d.name}报到账号`, role: 'department' as const, departmentId: d.id, passwordHash }))
}

/**
 * A demo database made before department accounts existed gets them too, with the demo
 * password the other demo accounts still share (none when those passwords were changed).
 */
async function addDepartmentAccounts(db: Db): Promise<number> {
  const r = await db.query<{ hash: string | null; has: boolean }>(
    `SELECT (SELECT l.password_hash FROM users l JOIN users d ON d.username = 'dispatcher' AND d.password_hash = l.password_hash WHERE l.username = 'leader') AS hash,
            EXISTS (SELECT 1 FROM users WHERE role = 'department') AS has`)
  const { hash, has } = r.rows[0]
  if (has || !hash) return 0
  const users = await departmentAccounts(db, hash)
  await insertUsers(db, users)
  return users.length
}

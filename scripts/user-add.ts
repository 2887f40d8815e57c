// `npm run user:add -- --username NAME --role ROLE [--village ID] [--grid ID] [--name 显示名]`
// Creates a real account with its own salted scrypt hash. The password comes from
// USER_PASSWORD or is read from standard input, never from the command line (shell history).
// On the embedded database stop the server first: PGlite allows one process at a time.
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { hashPassword } from '../api/auth/password.ts'
import { insertUsers } from '../api/auth/repository.ts'
import { ROLES, type Role } from '../api/auth/roles.ts'
import { loadConfig } from '../api/config.ts'
import { openDb } from '../api/db/index.ts'
import { migrate } from '../api/db/migrate.ts'

const { values } = parseArgs({
  options: { username: { type: 'string' }, role: { type: 'string' }, village: { type: 'string' }, grid: { type: 'string' }, name: { type: 'string' } },
})
const fail = (msg: string): never => {
  console.error(`user:add: ${msg}`)
  process.exit(2)
}
const username = values.username ?? fail('--username is required')
const role = (values.role ?? fail(`--role is required (${ROLES.join(', ')})`)) as Role
if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`)
const villageId = values.village ? Number(values.village) : null
const gridId = values.grid ? Number(values.grid) : null
if (role === 'villageCadre' && !Number.isInteger(villageId)) fail('--village ID is required for villageCadre')
if (role === 'gridWorker' && !Number.isInteger(gridId)) fail('--grid ID is required for gridWorker')
if (role !== 'villageCadre' && villageId !== null) fail('--village is only for villageCadre')
if (role !== 'gridWorker' && gridId !== null) fail('--grid is only for gridWorker')

let password = process.env.USER_PASSWORD
if (!password) {
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  password = (await rl.question('password: ')).trim()
  rl.close()
}
if (!password || password.length < 8) fail('the password must have at least 8 characters')

const config = loadConfig()
const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((err: Error) => fail(`cannot open the database: ${err.message}`))
try {
  await migrate(db)
  await insertUsers(db, [{ username, displayName: values.name ?? username, role, villageId, gridId, passwordHash: await hashPassword(password!) }])
  console.log(`user ${username} (${role}${villageId ? `, village ${villageId}` : ''}${gridId ? `, grid ${gridId}` : ''}) created`)
} catch (err) {
  fail((err as Error).message)
} finally {
  await db.close()
}

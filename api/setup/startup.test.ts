import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/types.ts'
import { openEmptyDb, openFixtureDb } from '../test/test-db.ts'
import { FIXTURES_DIR, loadFixtures } from '../db/fixtures.ts'
import { ensureDemoAccounts } from '../auth/demo-accounts.ts'
import { ensureDemoTerminals } from '../terminals/demo.ts'
import { verifyPassword } from '../auth/password.ts'
import { loadConfig } from '../config.ts'
import { DemoDatabaseError, prepareDatabase } from './startup.ts'
import { deploymentOf } from './deployment.ts'

const count = async (db: Db, table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
const users = async (db: Db) => (await db.query<{ username: string; role: string; password_hash: string }>('SELECT username, role, password_hash FROM users ORDER BY id')).rows

describe('an empty start for production (FIXTURES_DIR=none)', () => {
  let db: Db
  beforeAll(async () => {
    db = await openEmptyDb()
  })
  afterAll(async () => db?.close())

  it('makes one admin with a random password printed once, and nothing of the demo', async () => {
    const said: string[] = []
    const r = await prepareDatabase(db, { fixturesDir: null, demoPassword: 'demo-password', say: (l) => said.push(l) })
    expect(r).toEqual({ deployment: 'production', loadedRows: 0 })
    const all = await users(db)
    expect(all.map((u) => [u.username, u.role])).toEqual([['admin', 'admin']])
    // the password is printed on one line, and it is the admin's
    const line = said.find((l) => l.includes('admin') && l.includes('初始密码'))!
    const password = line.split(': ').pop()!
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/)
    expect(await verifyPassword(password, all[0].password_hash)).toBe(true)
    expect(await verifyPassword('demo-password', all[0].password_hash)).toBe(false)
    for (const table of ['towns', 'villages', 'grids', 'households', 'residents', 'vehicles', 'terminals', 'county', 'work_orders']) expect(await count(db, table), table).toBe(0)
    // the catalogue every township shares: the county departments and the residents' data items
    expect(await count(db, 'departments')).toBe(12)
    expect(await count(db, 'data_items')).toBe(30)
    expect(await deploymentOf(db)).toBe('production')
  })

  it('never loads the demo into it afterwards, whatever FIXTURES_DIR says', async () => {
    const said: string[] = []
    const r = await prepareDatabase(db, { fixturesDir: FIXTURES_DIR, demoPassword: 'demo-password', say: (l) => said.push(l) })
    expect(r).toEqual({ deployment: 'production', loadedRows: 0 })
    expect(said.join('\n')).toMatch(/生产部署 \(settings deployment=production\)/)
    expect(said.join('\n')).toMatch(/示例数据 .* 不载入/)
    expect((await users(db)).map((u) => u.username)).toEqual(['admin'])
    expect(await count(db, 'villages')).toBe(0)
    // and the demo's own steps refuse it when called directly (a script, a test harness)
    await expect(loadFixtures(db)).rejects.toThrow(/deployment=production/)
    expect(await count(db, 'towns')).toBe(0)
    expect(await ensureDemoAccounts(db, 'demo-password')).toEqual({ created: 0 })
    await db.query(`INSERT INTO vehicles (id, plate, kind, name, driver_name) VALUES (1, '鲁Q00001', 'garbageTruck', '清运车1', '')`)
    expect(await ensureDemoTerminals(db)).toBe(0)
    expect(await count(db, 'terminals')).toBe(0)
  })

  it('keeps the first admin when started empty again, and says nothing of a password', async () => {
    const said: string[] = []
    await prepareDatabase(db, { fixturesDir: null, adminPassword: 'another-password', say: (l) => said.push(l) })
    const all = await users(db)
    expect(all).toHaveLength(1)
    expect(await verifyPassword('another-password', all[0].password_hash)).toBe(false)
    expect(said.join('\n')).not.toMatch(/初始密码/)
  })
})

describe('ADMIN_PASSWORD and FIXTURES_DIR', () => {
  it('takes the admin password from ADMIN_PASSWORD and prints none', async () => {
    const db = await openEmptyDb()
    try {
      const said: string[] = []
      await prepareDatabase(db, { fixturesDir: null, adminPassword: 'chosen-password-1', say: (l) => said.push(l) })
      const [admin] = await users(db)
      expect(await verifyPassword('chosen-password-1', admin.password_hash)).toBe(true)
      expect(said.join('\n')).not.toContain('chosen-password-1')
      expect(said.join('\n')).toContain('ADMIN_PASSWORD')
    } finally {
      await db.close()
    }
  })

  it('reads FIXTURES_DIR=none as an empty start and refuses a short ADMIN_PASSWORD', () => {
    expect(loadConfig({ FIXTURES_DIR: 'none' }).fixturesDir).toBeNull()
    expect(loadConfig({}).fixturesDir).toMatch(/fixtures$/)
    expect(loadConfig({ FIXTURES_DIR: '/data/county' }).fixturesDir).toBe('/data/county')
    expect(() => loadConfig({ FIXTURES_DIR: 'none', ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD/)
    expect(loadConfig({ ADMIN_PASSWORD: 'long-enough' }).adminPassword).toBe('long-enough')
  })
})

describe('a demo database', () => {
  let db: Db
  beforeAll(async () => {
    db = await openFixtureDb()
  })
  afterAll(async () => db?.close())

  it('is not turned into production by an empty start: it is refused and left as it was', async () => {
    const before = await count(db, 'users')
    await expect(prepareDatabase(db, { fixturesDir: null, say: () => {} })).rejects.toBeInstanceOf(DemoDatabaseError)
    expect(await count(db, 'users')).toBe(before)
    expect(await deploymentOf(db)).toBeNull()
  })

  it('starts as the demo it is, recorded as one', async () => {
    const r = await prepareDatabase(db, { fixturesDir: FIXTURES_DIR, demoPassword: 'x-password', say: () => {} })
    expect(r).toEqual({ deployment: 'demo', loadedRows: 0 })
    expect(await deploymentOf(db)).toBe('demo')
    await expect(prepareDatabase(db, { fixturesDir: null, say: () => {} })).rejects.toBeInstanceOf(DemoDatabaseError)
  })
})

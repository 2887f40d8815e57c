import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'

// Accounts for the admin: create with role and scope, change them, disable, reset a password;
// a change of rights ends the account's sessions at once.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => t.as('admin', { method, url, payload: payload as Record<string, unknown> })
const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress })

describe('accounts', () => {
  it('are for the admin only', async () => {
    for (const who of ['leader', 'dispatcher', 'cadre-1', 'display', 'dept-1']) expect((await t.as(who, '/api/users')).statusCode, who).toBe(403)
    const list = (await admin('GET', '/api/users?role=department')).json()
    expect(list.total).toBeGreaterThan(0)
    expect(list.users.every((u: { role: string }) => u.role === 'department')).toBe(true)
    expect(JSON.stringify(list)).not.toMatch(/password|scrypt/)
  })

  it("names a grid worker's grid as people know it (村 第N网格), not by its id", async () => {
    const list = (await admin('GET', '/api/users?role=gridWorker')).json() as { users: { gridId: number | null; gridName?: string | null }[] }
    const u = list.users.find((x) => x.gridId !== null)!
    const g = (await t.db.query<{ name: string }>(`SELECT v.name || ' ' || g.name AS name FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.id = $1`, [u.gridId])).rows[0]
    expect(u.gridName).toBe(g.name)
    expect(u.gridName).toMatch(/村 .*网格/)
  })

  it('creates an account with the scope its role needs, naming what is missing', async () => {
    expect((await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'villageCadre', password: 'a-long-pass' })).json().message).toMatch(/villageId is required/)
    expect((await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'villageCadre', villageId: 3, gridId: 5, password: 'a-long-pass' })).json().message).toMatch(/gridId/)
    expect((await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'villageCadre', villageId: 99999, password: 'a-long-pass' })).json().message).toMatch(/villageId does not exist/)
    expect((await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'villageCadre', villageId: 3, password: 'short' })).statusCode).toBe(400)
    const made = await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'villageCadre', villageId: 3, password: 'a-long-pass' })
    expect(made.statusCode).toBe(201)
    expect(made.json()).toMatchObject({ username: 'li.na', role: 'villageCadre', villageId: 3, disabled: false })
    expect((await admin('POST', '/api/users', { username: 'li.na', displayName: '李娜', role: 'leader', password: 'a-long-pass' })).statusCode).toBe(409)
    const token = (await login('li.na', 'a-long-pass')).json().token
    expect((await t.app.inject({ url: '/api/households?grid=1', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403)
  })

  it('ends the sessions of an account whose rights change or that is disabled', async () => {
    const made = (await admin('POST', '/api/users', { username: 'wang.qiang', displayName: '王强', role: 'dispatcher', password: 'a-long-pass' })).json()
    const token = (await login('wang.qiang', 'a-long-pass')).json().token
    const auth = { authorization: `Bearer ${token}` }
    expect((await t.app.inject({ url: '/api/auth/me', headers: auth })).statusCode).toBe(200)
    const changed = await admin('PATCH', `/api/users/${made.id}`, { role: 'department', departmentId: 2 })
    expect(changed.json()).toMatchObject({ role: 'department', departmentId: 2 })
    expect((await t.app.inject({ url: '/api/auth/me', headers: auth })).statusCode).toBe(401)
    const again = (await login('wang.qiang', 'a-long-pass')).json().token
    expect((await admin('PATCH', `/api/users/${made.id}`, { disabled: true })).json().disabled).toBe(true)
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${again}` } })).statusCode).toBe(401)
    expect((await login('wang.qiang', 'a-long-pass')).statusCode).toBe(401)
    // a name change alone leaves sessions alone
    const cadre = (await admin('GET', '/api/users?q=cadre-2')).json().users[0]
    const cadreToken = await t.token('cadre-2')
    await admin('PATCH', `/api/users/${cadre.id}`, { displayName: '二村村委' })
    expect((await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${cadreToken}` } })).statusCode).toBe(200)
  })

  it("keeps a town account's town when a change leaves it out, and clears it for a role without one", async () => {
    const made = (await admin('POST', '/api/users', { username: 'town.lead', displayName: '镇领导', role: 'leader', townId: 1, password: 'a-long-pass' })).json()
    expect(made).toMatchObject({ role: 'leader', townId: 1 })
    // the desk's dialog sends the role and its scope fields with every change of name
    expect((await admin('PATCH', `/api/users/${made.id}`, { displayName: '镇主要领导', role: 'leader', villageId: null, gridId: null, departmentId: null })).json())
      .toMatchObject({ displayName: '镇主要领导', role: 'leader', townId: 1 })
    expect((await admin('PATCH', `/api/users/${made.id}`, { role: 'dispatcher' })).json()).toMatchObject({ role: 'dispatcher', townId: 1 })
    expect((await admin('PATCH', `/api/users/${made.id}`, { townId: null })).json()).toMatchObject({ role: 'dispatcher', townId: null })
    expect((await admin('PATCH', `/api/users/${made.id}`, { townId: 1 })).json()).toMatchObject({ townId: 1 })
    expect((await admin('PATCH', `/api/users/${made.id}`, { role: 'villageCadre', villageId: 2 })).json()).toMatchObject({ role: 'villageCadre', villageId: 2, townId: null })
    expect((await admin('PATCH', `/api/users/${made.id}`, { villageId: 2, townId: 1 })).json().message).toMatch(/townId: role villageCadre has no town/)
  })

  it('resets a password (made and shown once, or given), unlocking the account', async () => {
    const u = (await admin('GET', '/api/users?q=gw-9')).json().users[0]
    for (let i = 0; i < 5; i++) await login('gw-9', 'wrong-password')
    expect((await admin('GET', '/api/users?q=gw-9')).json().users[0].locked).toBe(true)
    const made = (await admin('POST', `/api/users/${u.id}/password`, {})).json()
    expect(made.password.length).toBeGreaterThanOrEqual(12)
    expect((await login('gw-9', made.password)).statusCode).toBe(200)
    expect((await admin('POST', `/api/users/${u.id}/password`, { password: 'chosen-by-admin' })).json()).toEqual({})
    expect((await login('gw-9', 'chosen-by-admin')).statusCode).toBe(200)
  })

  it("lets the admin lift an account's sign-in throttle, audited", async () => {
    const u = (await admin('GET', '/api/users?q=gw-13')).json().users[0]
    const from = '203.0.113.40'
    for (let i = 0; i < 5; i++) expect((await login('gw-13', 'wrong-password', from)).statusCode).toBe(401)
    expect((await login('gw-13', TEST_PASSWORD, from)).statusCode).toBe(429)
    expect((await admin('GET', '/api/users?q=gw-13')).json().users[0].locked).toBe(true)
    expect((await t.as('leader', { method: 'POST', url: `/api/users/${u.id}/unlock` })).statusCode).toBe(403)
    expect((await admin('POST', '/api/users/99999/unlock')).statusCode).toBe(404)
    const unlocked = await admin('POST', `/api/users/${u.id}/unlock`)
    expect(unlocked.statusCode).toBe(200)
    expect(unlocked.json()).toMatchObject({ username: 'gw-13', locked: false })
    expect((await login('gw-13', TEST_PASSWORD, from)).statusCode).toBe(200)
    const trail = (await admin('GET', '/api/audit?action=unlockAccount')).json()
    expect(JSON.stringify(trail)).toContain('gw-13')
  })

  it('keeps an admin from locking themselves out', async () => {
    const me = (await t.as('admin', '/api/auth/me')).json()
    expect((await admin('PATCH', `/api/users/${me.id}`, { disabled: true })).statusCode).toBe(400)
    expect((await admin('PATCH', `/api/users/${me.id}`, { role: 'leader' })).statusCode).toBe(400)
  })
})

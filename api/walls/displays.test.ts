import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Walls steered from the desk: a name people know them by, a tour assigned without touching the
// wall's address, a reload asked for remotely, and a display link whose one-time code is
// exchanged for the display account's session (the account's password never leaves the desk).
let t: TestApp
let url: string
const report = (displayId: string, over: Record<string, unknown> = {}) =>
  ({ displayId, scope: 'town', tour: null, version: 'dev', width: 1920, height: 1080, fps: 30, heapMb: 40, domNodes: 2000, ...over })
const wallReports = (displayId: string, over: Record<string, unknown> = {}) =>
  t.as('display', { method: 'POST', url: '/api/displays/report', payload: report(displayId, over) })
let tourId = 0
let displayUserId = 0

beforeAll(async () => {
  t = await openTestApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  const saved = await t.as('admin', { method: 'PUT', url: '/api/tours', payload: { tours: [{ name: '日常轮播', steps: [{ scope: 'town', dwellSeconds: 30 }], schedule: null }] } })
  tourId = saved.json()[0].id
  displayUserId = (await t.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'display'`)).rows[0].id
})
afterAll(async () => t?.close())

const audit = async (kind: string) =>
  ((await t.as('admin', `/api/audit?kind=${kind}&limit=100`)).json() as { entries: { action: string; reason: string; kind: string }[] }).entries

describe('walls named and given a tour', () => {
  it('names a wall and assigns it a tour, shown in the list and told to the wall in its report answer', async () => {
    expect((await wallReports('wall-tmNjf0001')).json()).toEqual({ version: 'dev', name: null, tour: null, reload: false })
    const res = await t.as('admin', { method: 'PATCH', url: '/api/displays/wall-tmNjf0001', payload: { name: '指挥大厅主屏', tourId } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ displayId: 'wall-tmNjf0001', name: '指挥大厅主屏', tourId, tourName: '日常轮播' })
    const list = (await t.as('admin', '/api/displays')).json() as { displayId: string; name: string | null; tourName: string | null }[]
    expect(list.find((d) => d.displayId === 'wall-tmNjf0001')).toMatchObject({ name: '指挥大厅主屏', tourName: '日常轮播' })
    expect((await wallReports('wall-tmNjf0001')).json()).toEqual({ version: 'dev', name: '指挥大厅主屏', tour: '日常轮播', reload: false })
    const rows = await audit('walls')
    expect(rows[0]).toMatchObject({ action: 'wallUpdate', kind: 'walls' })
    expect(rows[0].reason).toContain('指挥大厅主屏')
  })

  it('refuses an unknown wall, an unknown tour, a blank name and anyone but the admin', async () => {
    const patch = (who: string, id: string, payload: Record<string, unknown>) => t.as(who, { method: 'PATCH', url: `/api/displays/${id}`, payload })
    expect((await patch('admin', 'wall-never-seen', { name: '无' })).statusCode).toBe(404)
    const tour = await patch('admin', 'wall-tmNjf0001', { tourId: 99999 })
    expect([tour.statusCode, tour.json().code]).toEqual([400, 'unknown_tour'])
    expect((await patch('admin', 'wall-tmNjf0001', { name: '   ' })).json().message).toMatch(/name/)
    expect((await patch('admin', 'wall-tmNjf0001', {})).statusCode).toBe(400)
    expect((await patch('leader', 'wall-tmNjf0001', { name: '侧屏' })).statusCode).toBe(403)
    expect((await patch('display', 'wall-tmNjf0001', { name: '侧屏' })).statusCode).toBe(403)
  })
})

describe('a reload asked for from the desk', () => {
  it('reaches the wall over its socket at once, and with its next report if the socket missed it', async () => {
    await wallReports('wall-reload-01')
    const socket: Socket = connect(url, { auth: { token: await t.token('display') }, transports: ['websocket'], reconnection: false })
    try {
      const joined = await new Promise<{ ok: boolean }>((r) => socket.once('connect', () => socket.emit('wall', { displayId: 'wall-reload-01' }, r)))
      expect(joined.ok).toBe(true)
      const heard = new Promise<{ displayId: string; reload?: boolean }>((r) => socket.once('wallCommand', r))
      const asked = await t.as('admin', { method: 'POST', url: '/api/displays/wall-reload-01/reload' })
      expect(asked.statusCode, asked.body).toBe(202)
      expect(await heard).toEqual({ displayId: 'wall-reload-01', reload: true })
    } finally {
      socket.close()
    }
    // the wall that reloaded by the socket's word says so: no second reload
    expect((await wallReports('wall-reload-01', { reloaded: true })).json().reload).toBe(false)
    // a wall whose socket was down hears of it with its next report, once
    await t.as('admin', { method: 'POST', url: '/api/displays/wall-reload-01/reload' })
    expect((await wallReports('wall-reload-01')).json().reload).toBe(true)
    expect((await wallReports('wall-reload-01')).json().reload).toBe(false)
    expect((await t.as('admin', { method: 'POST', url: '/api/displays/wall-unknown-9/reload' })).statusCode).toBe(404)
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/displays/wall-reload-01/reload' })).statusCode).toBe(403)
    expect((await audit('walls')).some((e) => e.action === 'wallReload')).toBe(true)
  })
})

describe('display links', () => {
  const pair = (code: string, displayId = 'wall-paired-01') => t.app.inject({ method: 'POST', url: '/api/displays/pair', payload: { code, displayId } })

  it('signs a wall in once with a code made on the desk, named and touring as the link said', async () => {
    const made = await t.as('admin', { method: 'POST', url: '/api/displays/pairings', payload: { userId: displayUserId, name: '会议室侧屏', tourId } })
    expect(made.statusCode, made.body).toBe(201)
    const { code } = made.json() as { code: string }
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const first = await pair(code)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ name: '会议室侧屏', user: { username: 'display', role: 'display' } })
    const me = await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${first.json().token}` } })
    expect(me.json()).toMatchObject({ username: 'display', role: 'display' })
    // the wall is listed by its name before its first report
    const list = (await t.as('admin', '/api/displays')).json() as { displayId: string; name: string | null; tourName: string | null }[]
    expect(list.find((d) => d.displayId === 'wall-paired-01')).toMatchObject({ name: '会议室侧屏', tourName: '日常轮播' })
    // spent: a photo of the QR code taken after the wall paired signs nobody in
    const again = await pair(code, 'wall-paired-02')
    expect([again.statusCode, again.json().code]).toEqual([401, 'pairing_invalid'])
    const rows = await audit('walls')
    expect(rows.map((e) => e.action)).toEqual(expect.arrayContaining(['wallLink', 'wallPaired']))
  })

  it("is only for display accounts, made by the admin, and a made-up code opens nothing", async () => {
    const leaderId = (await t.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'leader'`)).rows[0].id
    const notDisplay = await t.as('admin', { method: 'POST', url: '/api/displays/pairings', payload: { userId: leaderId } })
    expect([notDisplay.statusCode, notDisplay.json().code]).toEqual([400, 'not_display'])
    expect((await t.as('leader', { method: 'POST', url: '/api/displays/pairings', payload: { userId: displayUserId } })).statusCode).toBe(403)
    expect((await pair('AAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(401)
    expect((await pair('short')).statusCode).toBe(400)
    // an expired code is dead
    const made = (await t.as('admin', { method: 'POST', url: '/api/displays/pairings', payload: { userId: displayUserId } })).json() as { code: string }
    await t.db.query(`UPDATE display_pairings SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL`)
    expect((await pair(made.code)).statusCode).toBe(401)
  })
})

describe("the admin's actions in the audit trail", () => {
  it('records accounts made, changed, disabled and given a password, and tours and categories saved, each of its kind', async () => {
    const created = await t.as('admin', { method: 'POST', url: '/api/users', payload: { username: 'wall-2', displayName: '二号大屏', role: 'display', password: 'a-long-password' } })
    expect(created.statusCode, created.body).toBe(201)
    const id = created.json().id as number
    await t.as('admin', { method: 'PATCH', url: `/api/users/${id}`, payload: { displayName: '二号屏' } })
    await t.as('admin', { method: 'PATCH', url: `/api/users/${id}`, payload: { disabled: true } })
    await t.as('admin', { method: 'POST', url: `/api/users/${id}/password`, payload: {} })
    const accounts = await audit('accounts')
    expect(accounts.slice(0, 4).map((e) => e.action)).toEqual(['passwordReset', 'userDisable', 'userUpdate', 'userCreate'])
    expect(accounts[2].reason).toContain('displayName 二号大屏 → 二号屏')
    // no password, made or given, is ever written to the trail
    expect(accounts.every((e) => !e.reason.includes('a-long-password'))).toBe(true)
    expect((await audit('walls')).some((e) => e.action === 'toursSave' && e.reason.includes('日常轮播'))).toBe(true)
    const cats = (await t.as('admin', '/api/work-orders/categories')).json() as { code: string; name: string; departmentName: string | null; slaHours: Record<string, number> }[]
    const c = cats[0]
    expect((await t.as('admin', { method: 'PUT', url: `/api/work-orders/categories/${c.code}`, payload: { name: c.name, departmentName: c.departmentName, slaHours: c.slaHours } })).statusCode).toBe(200)
    expect((await audit('settings'))[0]).toMatchObject({ action: 'categoryUpdate' })
    // a kind holds its own actions only
    expect((await audit('personal')).some((e) => ['userCreate', 'wallUpdate', 'categoryUpdate'].includes(e.action))).toBe(false)
    expect((await t.as('admin', '/api/audit?kind=moon')).statusCode).toBe(400)
  })
})

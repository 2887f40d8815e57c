import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

// what the installer reads off the unit; the plate is the truck's unless given
const UNIT = { terminalId: 'A1B2C3D', makerId: 'SZWG1' }
const bind = (payload: object, user = 'admin') => t.as(user, { method: 'POST', url: '/api/terminals', payload: { ...UNIT, ...payload } })

describe('terminal bindings', () => {
  it('binds a terminal to a vehicle, lists it, and unbinds it', async () => {
    const res = await bind({ phone: '013800000101', vehicleId: 1, protocol: 'jt808' })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ phone: '013800000101', vehicleId: 1, protocol: 'jt808', crs: 'wgs84', registeredAt: null, createdBy: 'admin' })
    // a 2019 terminal ID has 20 digits; leading zeros are kept as sent
    expect((await bind({ phone: '00000000013800000202', vehicleId: 2, protocol: 'jt808', crs: 'gcj02' })).json()).toMatchObject({ crs: 'gcj02' })
    const list = await t.as('dispatcher', '/api/terminals')
    expect(list.statusCode).toBe(200)
    expect((list.json() as { phone: string }[]).map((x) => x.phone)).toEqual(['013800000101', '00000000013800000202'])
    expect((await t.as('admin', { method: 'DELETE', url: '/api/terminals/00000000013800000202' })).statusCode).toBe(204)
    expect((await t.as('admin', { method: 'DELETE', url: '/api/terminals/00000000013800000202' })).statusCode).toBe(404)
  })

  it('refuses bad bindings with the field named, and a second terminal on one truck', async () => {
    const badPhone = await bind({ phone: '13800000101', vehicleId: 3, protocol: 'jt808' })
    expect(badPhone.statusCode).toBe(400)
    expect(badPhone.json().message).toMatch(/body\/phone/)
    const badProtocol = await bind({ phone: '013800000303', vehicleId: 3, protocol: 'gt06' })
    expect(badProtocol.statusCode).toBe(400)
    expect(badProtocol.json().message).toMatch(/body\/protocol/)
    const unknownVehicle = await bind({ phone: '013800000303', vehicleId: 9999, protocol: 'jt808' })
    expect(unknownVehicle.statusCode).toBe(400)
    expect(unknownVehicle.json().message).toMatch(/body\/vehicleId/)
    expect((await bind({ phone: '013800000303', vehicleId: 3, protocol: 'jt808' })).statusCode).toBe(201)
    expect((await bind({ phone: '013800000303', vehicleId: 4, protocol: 'jt808' })).statusCode).toBe(409)
    const second = await bind({ phone: '013800000304', vehicleId: 3, protocol: 'jt808' })
    expect(second.statusCode).toBe(409)
    expect(second.json().message).toMatch(/already has terminal 013800000303/)
  })

  it('resets a registration (admin only; 404 for an unknown terminal), lists whether each is registered, and documents the route', async () => {
    expect((await bind({ phone: '013800000606', vehicleId: 6, protocol: 'jt808' })).statusCode).toBe(201)
    const registered = async () => ((await t.as('dispatcher', '/api/terminals')).json() as { phone: string; registered: boolean }[]).find((x) => x.phone === '013800000606')!.registered
    expect(await registered()).toBe(false)
    // as the gateway leaves it once the terminal has registered and signed in with its code
    await t.db.query(`UPDATE terminals SET auth_code = 'c0ffee00c0ffee00', authenticated_at = now(), registered_at = now() WHERE phone = '013800000606'`)
    expect(await registered()).toBe(true)
    expect((await t.as('dispatcher', { method: 'POST', url: '/api/terminals/013800000606/reset' })).statusCode).toBe(403)
    const reset = await t.as('admin', { method: 'POST', url: '/api/terminals/013800000606/reset' })
    expect(reset.statusCode).toBe(200)
    expect(reset.json()).toMatchObject({ phone: '013800000606', vehicleId: 6, registered: false })
    expect(reset.json().registeredAt).not.toBeNull()
    expect((await t.db.query(`SELECT auth_code FROM terminals WHERE phone = '013800000606'`)).rows[0]).toEqual({ auth_code: null })
    expect(await registered()).toBe(false)
    const unknown = await t.as('admin', { method: 'POST', url: '/api/terminals/013800000999/reset' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().message).toMatch(/terminal 013800000999 not found/)
    expect((await t.as('admin', { method: 'POST', url: '/api/terminals/1380/reset' })).statusCode).toBe(400)
    const docs = (await t.as('admin', '/api/docs/json')).json() as { paths: Record<string, { post?: { tags: string[]; responses: Record<string, unknown> } }> }
    expect(docs.paths['/api/terminals/{phone}/reset'].post).toMatchObject({ tags: ['terminals'], responses: { 200: expect.anything() } })
  })

  it('lets only admins bind and unbind', async () => {
    expect((await bind({ phone: '013800000505', vehicleId: 5, protocol: 'jt808' }, 'dispatcher')).statusCode).toBe(403)
    expect((await t.as('device', '/api/terminals')).statusCode).toBe(403)
    expect((await t.as('display', '/api/terminals')).statusCode).toBe(403)
    expect((await t.as('dispatcher', { method: 'DELETE', url: '/api/terminals/013800000101' })).statusCode).toBe(403)
  })
})

// Terminal claims: a terminal bound but not yet signed in, or after its logout (0x0003), could
// be registered by whoever reached the 808 port first. The binding carries what the installer
// knows of the unit (终端ID, 制造商ID, 型号, 车牌) and a registration must match it: a mismatch
// is refused (4 not the unit, 2 not the truck) and shown to the admin, who corrects the binding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../../test/app.ts'
import { Jt808Terminal, RegistrationRefusedError, simulatedUnit, type TerminalOptions } from './terminal-client.ts'
import { PlatformResult, RegistrationResult } from './messages.ts'
import { claimMismatch } from './claim.ts'
import type { Terminal } from '../../terminals/repository.ts'

const FRESH = '013800000001' // vehicle 1, bound and never signed in
const LOGS_OUT = '00000000013800000002' // vehicle 2, a 2019 unit that signs in and logs out
const LEGACY = '013800000003' // vehicle 3, bound before bindings named the unit
const PLATE = '鲁Q·D1234'

let t: TestApp
let port: number
const bind = (payload: object) => t.as('admin', { method: 'POST', url: '/api/terminals', payload: { protocol: 'jt808', ...payload } })
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1', refusalKeepMs: 0 } })
  port = t.app.jt808!.port
  expect((await bind({ phone: FRESH, vehicleId: 1, ...simulatedUnit(FRESH, PLATE) })).statusCode).toBe(201)
  // the plate left out: the truck's own
  const { plate: _, ...unit } = simulatedUnit(LOGS_OUT)
  const bound = await bind({ phone: LOGS_OUT, vehicleId: 2, ...unit })
  expect(bound.statusCode, bound.body).toBe(201)
  const truck = (await t.db.query<{ plate: string }>('SELECT plate FROM vehicles WHERE id = 2')).rows[0].plate
  expect(bound.json().expected).toEqual({ ...unit, plate: truck })
  // as migration 036 leaves a binding that never signed in
  await t.db.query(`INSERT INTO terminals (phone, vehicle_id, created_by) VALUES ($1, 3, 'admin')`, [LEGACY])
})
afterAll(async () => t?.close())

async function unit(phone: string, registration: TerminalOptions['registration'] = {}, localAddress?: string): Promise<Jt808Terminal> {
  const term = new Jt808Terminal({ host: '127.0.0.1', port, phone, edition: phone.length === 20 ? 2019 : 2013, replyTimeoutMs: 5000, registration, localAddress })
  await term.connect()
  return term
}
const listed = async (phone: string) => ((await t.as('admin', '/api/terminals')).json() as Terminal[]).find((x) => x.phone === phone)!
const until = async (pred: () => Promise<boolean>, what: string, ms = 5000) => {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('JT/T 808 terminal claims', () => {
  it('refuses a registration of a bound, never signed-in terminal that is not the unit bound, and shows it to the admin', async () => {
    const stranger = await unit(FRESH, { terminalId: 'X999999', makerId: 'EVIL1', plate: PLATE }, '127.0.0.5')
    const refused = await stranger.register()
    expect(refused.result).toBe(RegistrationResult.terminalUnknown)
    expect(refused.authCode).toBeUndefined()
    stranger.close()
    // the right unit set up with another truck's plate: "vehicle not in database"
    const misplated = await unit(FRESH, { plate: '鲁Q·D9999' }, '127.0.0.6')
    const plateReply = await misplated.register()
    expect(plateReply.result).toBe(RegistrationResult.vehicleUnknown)
    expect(plateReply.authCode).toBeUndefined()
    misplated.close()

    await until(async () => (await listed(FRESH)).lastRefusal?.result === RegistrationResult.vehicleUnknown, 'the refusal kept')
    const shown = await listed(FRESH)
    expect(shown.registered).toBe(false)
    expect(shown.registeredAt).toBeNull()
    expect(shown.lastRefusal).toMatchObject({ result: 2, from: '127.0.0.6', mismatched: ['plate'], sent: { terminalId: '0000001', makerId: 'SZWG1', plate: '鲁Q·D9999' } })
    expect(Date.now() - Date.parse(shown.lastRefusal!.at)).toBeLessThan(60_000)

    // the unit the installer bound: the plate written without its dot, in full-width letters
    const real = await unit(FRESH, { plate: '鲁Ｑ D1234' })
    await real.login()
    expect((await listed(FRESH)).registered).toBe(true)
    real.close()
  })

  it('after a logout (0x0003) a registration must match the binding again', async () => {
    const truck = (await t.db.query<{ plate: string }>('SELECT plate FROM vehicles WHERE id = 2')).rows[0].plate
    const real = await unit(LOGS_OUT, { plate: truck })
    await real.login()
    expect((await real.logout()).result).toBe(PlatformResult.ok)
    real.close()
    const stranger = await unit(LOGS_OUT, { plate: truck, makerId: 'OTHER' }, '127.0.0.7')
    const claim = await stranger.register()
    expect(claim.result).toBe(RegistrationResult.terminalUnknown)
    expect(claim.authCode).toBeUndefined()
    await expect(stranger.login()).rejects.toBeInstanceOf(RegistrationRefusedError)
    stranger.close()
    await until(async () => (await listed(LOGS_OUT)).lastRefusal?.from === '127.0.0.7', 'the refusal kept')
    expect((await listed(LOGS_OUT)).lastRefusal).toMatchObject({ result: 4, mismatched: ['makerId'] })
    const back = await unit(LOGS_OUT, { plate: truck })
    await back.login()
    expect((await listed(LOGS_OUT)).registered).toBe(true)
    back.close()
  })

  it('refuses every registration of a binding that names no unit until the admin completes it from the refusal', async () => {
    const sent = { terminalId: 'K7Q2M9A', makerId: 'ACME1', model: 'G7', plate: PLATE }
    const first = await unit(LEGACY, sent)
    expect((await first.register()).result).toBe(RegistrationResult.terminalUnknown)
    first.close()
    await until(async () => (await listed(LEGACY)).lastRefusal !== null, 'the refusal kept')
    const shown = await listed(LEGACY)
    expect(shown.expected).toEqual({ terminalId: null, makerId: null, model: null, plate: null })
    expect(shown.lastRefusal).toMatchObject({ result: 4, mismatched: ['terminalId', 'makerId', 'plate'], sent })

    expect((await t.as('dispatcher', { method: 'PATCH', url: `/api/terminals/${LEGACY}`, payload: { terminalId: 'K7Q2M9A' } })).statusCode).toBe(403)
    const patched = await t.as('admin', { method: 'PATCH', url: `/api/terminals/${LEGACY}`, payload: { terminalId: 'K7Q2M9A', makerId: 'ACME1', plate: PLATE, model: 'G7' } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json().expected).toEqual(sent)
    const second = await unit(LEGACY, sent)
    await second.login()
    expect((await listed(LEGACY)).registered).toBe(true)
    second.close()
  })

  it('takes the unit on the binding routes, with each bad field named', async () => {
    const missing = await bind({ phone: '013800000004', vehicleId: 4, makerId: 'SZWG1' })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().message).toMatch(/terminalId/)
    // a 2013 unit sends a 7-byte 终端ID: a longer one could never match
    const long = await bind({ phone: '013800000004', vehicleId: 4, terminalId: 'ABCDEFGH', makerId: 'SZWG1' })
    expect(long.statusCode).toBe(400)
    expect(long.json().message).toMatch(/body\/terminalId/)
    expect((await bind({ phone: '013800000004', vehicleId: 4, terminalId: 'ABC', makerId: 'SZWG1', plate: 'x\u0000y' })).json().message).toMatch(/body\/plate/)
    expect((await t.as('admin', { method: 'PATCH', url: `/api/terminals/${LEGACY}`, payload: {} })).statusCode).toBe(400)
    expect((await t.as('admin', { method: 'PATCH', url: `/api/terminals/${LEGACY}`, payload: { makerId: 'TOOLONGMAKER' } })).statusCode).toBe(400)
    expect((await t.as('admin', { method: 'PATCH', url: '/api/terminals/013800000999', payload: { makerId: 'SZWG1' } })).statusCode).toBe(404)
    // model null: no longer checked
    const unchecked = await t.as('admin', { method: 'PATCH', url: `/api/terminals/${LEGACY}`, payload: { model: null } })
    expect(unchecked.json().expected.model).toBeNull()
  })
})

describe('claimMismatch', () => {
  const expected = { terminalId: 'A1B2C3D', makerId: 'SZWG1', model: null, plate: '鲁Q·D1234' }
  it('matches the unit however its text is spelled, and names the fields that differ', () => {
    expect(claimMismatch(expected, { terminalId: 'a1b2c3d', makerId: 'SZWG1', model: 'anything', plate: '鲁QD1234' })).toBeNull()
    expect(claimMismatch(expected, { terminalId: 'A1B2C3D', makerId: 'ＳＺＷＧ１', model: '', plate: '鲁Q-D1234' })).toBeNull()
    expect(claimMismatch(expected, { terminalId: 'A1B2C3E', makerId: 'SZWG1', model: '', plate: '鲁Q·D1235' }))
      .toEqual({ result: RegistrationResult.terminalUnknown, fields: ['terminalId', 'plate'] })
    expect(claimMismatch(expected, { terminalId: 'A1B2C3D', makerId: 'SZWG1', model: '', plate: '鲁Q·D1235' }))
      .toEqual({ result: RegistrationResult.vehicleUnknown, fields: ['plate'] })
    expect(claimMismatch({ ...expected, model: 'G7' }, { terminalId: 'A1B2C3D', makerId: 'SZWG1', model: 'G8', plate: '鲁Q·D1234' }))
      .toEqual({ result: RegistrationResult.terminalUnknown, fields: ['model'] })
  })
})

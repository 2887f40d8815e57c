// The simulated terminals behave like real ones: each registers once, keeps its auth code in
// a file across restarts, and when the platform refuses a registration with result 3 (its code
// lost) says an admin must reset it, waits, and signs in again after the reset.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PositionInput } from '../../../geo/vehicles.ts'
import { openTestApp, type TestApp } from '../../../api/test/app.ts'
import { demoEdition, demoTerminalPhone, ensureDemoTerminals } from '../../../api/terminals/demo.ts'
import { fileAuthCodes, memoryAuthCodes } from './auth-codes.ts'
import { jt808Transport } from './transport.ts'
import { loadPlates } from '../routes.ts'
import { FIXTURES_DIR } from '../../../api/db/fixtures.ts'

let t: TestApp
let port: number
let dir: string
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1' } })
  port = t.app.jt808!.port
  await ensureDemoTerminals(t.db)
  dir = mkdtempSync(join(tmpdir(), 'sim-codes-'))
})
afterAll(async () => {
  await t?.close()
  rmSync(dir, { recursive: true, force: true })
})

let k = 0
const fixes = (...vehicleIds: number[]): PositionInput[] =>
  vehicleIds.map((vehicleId) => ({ vehicleId, time: new Date(Math.floor(Date.now() / 1000) * 1000 - 600_000 + ++k * 1000).toISOString(), lon: 117.39, lat: 35.1, speedKmh: 20, heading: 90 }))
const stats = () => ({ sent: 0, accepted: 0, rejected: 0, failedRequests: 0 })
const phone1 = demoTerminalPhone(1, demoEdition(1))
const registeredAt = async () =>
  (await t.db.query<{ phone: string; registered_at: Date }>('SELECT phone, registered_at FROM terminals WHERE phone = $1', [phone1])).rows[0].registered_at

describe('simulated JT/T 808 terminals', () => {
  it('keep their auth codes in a file and sign in with them after a restart, registering no more', async () => {
    const file = join(dir, 'codes.json')
    const first = jt808Transport('127.0.0.1', port, new Map(), { plates: loadPlates(FIXTURES_DIR), codes: fileAuthCodes(file) })
    const s1 = stats()
    expect(await first.send(fixes(1, 2), s1)).toEqual([])
    expect(s1.accepted).toBe(2)
    await first.close()
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
    expect(Object.keys(saved).sort()).toEqual([demoTerminalPhone(2, demoEdition(2)), phone1].sort())
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const at = await registeredAt()

    // the simulator restarts: the same codes, no new registration
    const second = jt808Transport('127.0.0.1', port, new Map(), { plates: loadPlates(FIXTURES_DIR), codes: fileAuthCodes(file) })
    const s2 = stats()
    expect(await second.send(fixes(1, 2), s2)).toEqual([])
    expect(s2.accepted).toBe(2)
    await second.close()
    expect(await registeredAt()).toEqual(at)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(saved)
  })

  it('says an admin must reset a registered terminal whose code it lost, waits, and signs in after the reset', async () => {
    const log: string[] = []
    const lost = jt808Transport('127.0.0.1', port, new Map(), { plates: loadPlates(FIXTURES_DIR), codes: memoryAuthCodes(), refusedRetryMs: 300 })
    const s = stats()
    const batch = fixes(1)
    expect(await lost.send(batch, s, (line) => log.push(line))).toEqual(batch)
    expect(log).toHaveLength(1)
    expect(log[0]).toContain(`需管理员重置该终端 (POST /api/terminals/${phone1}/reset)`)
    // while it waits it does not try again (no registration storm of its own)
    expect(await lost.send(fixes(1), s, (line) => log.push(line))).toHaveLength(1)
    expect(log).toHaveLength(1)

    expect((await t.as('admin', { method: 'POST', url: `/api/terminals/${phone1}/reset` })).statusCode).toBe(200)
    await new Promise((r) => setTimeout(r, 400))
    const s2 = stats()
    expect(await lost.send(fixes(1), s2, (line) => log.push(line))).toEqual([])
    expect(s2.accepted).toBe(1)
    await lost.close()
  })

  it('reads a damaged codes file as empty and writes it whole again', () => {
    const file = join(dir, 'damaged.json')
    writeFileSync(file, '{"0138000000')
    const log: string[] = []
    const codes = fileAuthCodes(file, (line) => log.push(line))
    expect(codes.get('013800000002')).toBeUndefined()
    expect(log[0]).toMatch(/无法读取/)
    codes.set('013800000002', 'abc')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ '013800000002': 'abc' })
    expect(fileAuthCodes(file).get('013800000002')).toBe('abc')
  })
})

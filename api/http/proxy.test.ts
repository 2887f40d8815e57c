import { afterAll, beforeAll, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Behind a load balancer every request comes from its address: the per-address limits, the
// sign-in throttle and the audit trail need the client's, which only the balancer may tell.
let t: TestApp
let resident: number
beforeAll(async () => {
  t = await openTestApp({ trustProxy: '127.0.0.1' })
  resident = (await t.db.query<{ id: number }>('SELECT id FROM residents WHERE deregistered IS NULL ORDER BY id LIMIT 1')).rows[0].id
})
afterAll(async () => t?.close())

const unmaskFrom = async (remoteAddress: string) => {
  const res = await t.as('admin', {
    method: 'GET', url: `/api/residents/${resident}?unmask=1&reason=${encodeURIComponent('核实户籍信息')}`,
    remoteAddress, headers: { 'x-forwarded-for': '203.0.113.7' },
  })
  expect(res.statusCode, res.body).toBe(200)
  return (await t.db.query<{ ip: string }>(`SELECT ip FROM audit_log WHERE action = 'unmask' ORDER BY id DESC LIMIT 1`)).rows[0].ip
}

it('believes X-Forwarded-For from the configured balancer (TRUST_PROXY), and from nobody else', async () => {
  expect(await unmaskFrom('127.0.0.1')).toBe('203.0.113.7')
  // anyone else sending the header is recorded by the address it really came from
  expect(await unmaskFrom('198.51.100.20')).toBe('198.51.100.20')
})

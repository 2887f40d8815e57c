import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { redactUrl } from './log.ts'

// The request log holds no secret: no token or password in a parameter however its name is
// spelt, and no resident's tracking code (the only key to her report).
let t: TestApp
const logged: string[] = []
let place: { lon: number; lat: number }
beforeAll(async () => {
  t = await openTestApp({ logger: { level: 'info', stream: { write: (line: string) => void logged.push(line) } } })
  place = (await t.db.query<{ lon: number; lat: number }>(`SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM grids WHERE kind = 'base' ORDER BY id LIMIT 1`)).rows[0]
})
afterAll(async () => t?.close())

describe('the request log', () => {
  it('redacts parameters whose names are secret once percent-decoded, and survives malformed escapes', () => {
    for (const [url, secret] of [
      ['/api/health?%74oken=abc123', 'abc123'],
      ['/api/health?pass%77ord=hunter2&x=1', 'hunter2'],
      ['/api/health?%2574oken=double1', 'double1'],
      ['/api/health?ACCESS_%54OKEN=upper1', 'upper1'],
      ['/api/health?%E0%A4%A&%74oken=broken1', 'broken1'],
      ['/api/health?x=%&%73ecret=lone1', 'lone1'],
    ] as const) {
      const out = redactUrl(url)
      expect(out, url).not.toContain(secret)
      expect(out, url).toContain('[redacted]')
    }
    expect(redactUrl('/api/health?%E0%A4%A=1&%')).toBe('/api/health?%E0%A4%A=1&%')
    expect(redactUrl('/api/villages?grid=3&q=%E6%9D%91')).toBe('/api/villages?grid=3&q=%E6%9D%91')
  })

  it('redacts the tracking code of every public report route, however the path is spelt', () => {
    for (const url of [
      '/api/public/reports/ABCDE12345', '/api/public/reports/ABCDE12345/rating', '/api/public/%72eports/ABCDE12345',
      '/api/public/reports//ABCDE12345', '/api/public/reports%2FABCDE12345', '/api/public/reports/ABCDE12345;x', 'http://h/api/public/reports/ABCDE12345?a=1',
    ]) {
      expect(redactUrl(url), url).not.toContain('ABCDE12345')
    }
    expect(redactUrl('/api/public/reports/ABCDE12345/rating')).toBe('/api/public/reports/[redacted]/rating')
    expect(redactUrl('/api/public/reports')).toBe('/api/public/reports')
  })

  it("never writes a resident's tracking code or an encoded secret parameter to the log", async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/public/reports', payload: { category: 'garbage', description: '垃圾桶满了没人清', ...place } })
    expect(created.statusCode).toBe(201)
    const code = created.json().trackingCode as string
    const token = await t.token('display')
    logged.length = 0
    expect((await t.app.inject(`/api/public/reports/${code}`)).statusCode).toBe(200)
    expect((await t.app.inject(`/api/public/reports/${code.toLowerCase()}`)).statusCode).toBe(200)
    await t.app.inject({ method: 'POST', url: `/api/public/reports/${code}/rating`, payload: { satisfaction: 5 } })
    await t.app.inject(`/api/public/reports/${code}/nothing-here`)
    await t.app.inject(`/api/health?%74oken=${token}`)
    await t.app.inject(`/api/health?pass%77ord=${token}x&%E0%A4%A=1`)
    const text = logged.join('')
    expect(text).toContain('/api/public/reports/[redacted]')
    expect(text.toUpperCase()).not.toContain(code)
    expect(text).not.toContain(token)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '../../geo/random.ts'
import { openTestApp, type TestApp } from '../test/app.ts'

// 5,000 random and malformed requests over every route and method the API documents, with
// JSON, binary and oversized bodies of every content type the API parses: each must get a
// 4xx or a 2xx, never a 5xx, and the server must still answer afterwards. Seeded, so a
// failure replays.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
  PATHS = Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1'))
  ROUTES = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), p.replace(/\{(\w+)\}/g, ':$1')] as [string, string]))
})
afterAll(async () => t?.close())

const NASTY = ['', ' ', '-1', '0', '1e309', 'NaN', 'null', 'true', '[]', '{}', '%00', '../../etc/passwd', "1' OR '1'='1", '9'.repeat(40),
  '１２', '<script>', '\u0000', '😀', 'a'.repeat(3000), '2147483648', '-2147483649', '1.5', '0x10', ' 7 ']
const PARAMS = ['q', 'scope', 'scope', 'village', 'grid', 'unmask', 'reason', 'limit', 'offset', 'residentId', 'username', 'x',
  'from', 'to', 'simplify', 'view', 'vehicleId', 'active', 'date', 'minMinutes']
/** every documented route, read from the app's own OpenAPI document, so a new route is fuzzed too */
let PATHS: string[] = []
/** [method, path] of every documented operation */
let ROUTES: [string, string][] = []
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'image/jpeg', 'image/png',
  'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'multipart/form-data; boundary=x']

function randomValue(rng: Rng): unknown {
  switch (rng.int(0, 6)) {
    case 0: return rng.pick([...NASTY, 'town', 'village:3', 'grid:0', 'grid:99999', 'village:1:2'])
    case 1: return rng.int(-5, 300_000)
    case 2: return rng.range(-1e6, 1e6)
    case 3: return null
    case 4: return [rng.pick(NASTY), rng.int(0, 9)]
    case 5: return { nested: rng.pick(NASTY) }
    default: return rng.chance(0.5)
  }
}

function randomBody(rng: Rng): string | Buffer | undefined {
  switch (rng.int(0, 6)) {
    case 0: return undefined
    case 1: return JSON.stringify({ username: randomValue(rng), password: randomValue(rng), extra: randomValue(rng) })
    case 2: return rng.pick(['{', '{"username":', '[1,2', 'not json', '\u0000\u0001', '{"a":' + '['.repeat(500), 'a,b\n"c', 'PK\u0003\u0004'])
    case 3: return JSON.stringify(randomValue(rng))
    // random bytes: a truncated image, a zip, anything
    case 4: return Buffer.from(Array.from({ length: rng.int(1, 4096) }, () => rng.int(0, 255)))
    // over the JSON limit, now and then over the import limit
    case 5: return Buffer.alloc(rng.chance(0.02) ? 21 * 1024 * 1024 : 1024 * 1024 + rng.int(1, 4096), rng.int(0, 255))
    default: return JSON.stringify({ positions: [{ vehicleId: randomValue(rng), time: randomValue(rng), lon: randomValue(rng), lat: randomValue(rng) }] })
  }
}

describe('fuzz', () => {
  it('answers 5,000 malformed requests without a 5xx or a crash', async () => {
    expect(PATHS).toContain('/api/vehicles/positions')
    expect(PATHS.length).toBeGreaterThan(20)
    const rng = new Rng(808)
    const tokens = [await t.token('admin'), await t.token('display'), await t.token('cadre-1'), await t.token('gw-1'), await t.token('dispatcher'),
      await t.token('device'), 'garbage-token-xxxxxxxxxxxx', '']
    const fails: string[] = []
    const counts: Record<string, number> = {}
    const visited = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      // mostly the documented method of a route, sometimes any method on any path
      const [docMethod, docPath] = rng.pick(ROUTES)
      visited.add(`${docMethod} ${docPath}`)
      let url = (rng.chance(0.8) ? docPath : rng.pick(PATHS)).replace(/:(\w+)/g, () => encodeURIComponent(String(rng.pick([...NASTY, rng.int(-3, 99999)]))))
      const q = Array.from({ length: rng.int(0, 3) }, () => `${rng.pick(PARAMS)}=${encodeURIComponent(String(randomValue(rng)))}`)
      if (q.length) url += '?' + q.join('&')
      const method = rng.chance(0.8) ? docMethod : rng.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const)
      const token = rng.pick(tokens)
      const payload = randomBody(rng)
      const res = await t.app.inject({
        method: method as 'GET', url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': rng.pick(CONTENT_TYPES) } : {}) },
        payload,
      })
      counts[String(res.statusCode)[0] + 'xx'] = (counts[String(res.statusCode)[0] + 'xx'] ?? 0) + 1
      if (res.statusCode >= 500) fails.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 120)}`)
      else if (res.statusCode >= 400) {
        const body = res.json()
        if (typeof body.message !== 'string' || body.statusCode !== res.statusCode) fails.push(`${method} ${url}: error body ${res.body.slice(0, 80)}`)
      }
    }
    expect(fails).toEqual([])
    expect(counts['4xx']).toBeGreaterThan(2500)
    expect(visited.size).toBe(ROUTES.length)
    expect((await t.app.inject('/api/health')).statusCode).toBe(200)
  }, 300_000)
})

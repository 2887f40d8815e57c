import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import sharp from 'sharp'
import { Rng } from '../../geo/random.ts'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'

// 5,000 random and malformed requests over every route and method the API documents, with
// JSON, binary and oversized bodies of every content type the API parses, bodies and
// querystrings built from each route's own documented fields (so values reach the handlers:
// NUL characters, impossible and out-of-range dates), and identical photos uploaded in
// parallel: each must get a 4xx or a 2xx, never a 5xx, and the server must still answer
// afterwards. Seeded, so a failure replays.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
  PATHS = Object.keys(doc.paths).map((p) => p.replace(/\{(\w+)\}/g, ':$1'))
  ROUTES = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => [m.toUpperCase(), p.replace(/\{(\w+)\}/g, ':$1')] as [string, string]))
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops as Record<string, DocOperation>)) {
      FIELDS.set(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`, {
        query: Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'querystring' || x.in === 'query').map((x) => [x.name, x.schema ?? {}])),
        body: (op.requestBody?.content?.['application/json']?.schema?.properties ?? {}) as Record<string, FieldSchema>,
      })
    }
  }
})
afterAll(async () => t?.close())

/** days PostgreSQL cannot hold or the calendar does not have, and the edges of what is accepted */
const DAYS = ['0000-01-01', '0000-00-00', '0001-01-01', '99999-01-01', '10000-01-01', '2026-02-30', '9999-12-31', '1899-12-31', '1900-01-01', '2999-12-31', '2026-11-03']
const DATE_TIMES = DAYS.map((d) => `${d}T00:00:00Z`).concat(['9999-12-31T23:59:59-23:59', '0001-01-01T00:00:00+14:00', '2026-11-03T09:15:00+08:00'])
const NASTY = ['', ' ', '-1', '0', '1e309', 'NaN', 'null', 'true', '[]', '{}', '%00', '../../etc/passwd', "1' OR '1'='1", '9'.repeat(40),
  '１２', '<script>', '\u0000', '😀', 'a'.repeat(3000), '2147483648', '-2147483649', '1.5', '0x10', ' 7 ', 'ab\u0000cd', '正常\u0000文本', ...DAYS, ...DATE_TIMES]

interface FieldSchema { type?: string | string[]; format?: string; items?: FieldSchema; properties?: Record<string, FieldSchema>; anyOf?: FieldSchema[] }
interface DocOperation {
  parameters?: { in: string; name: string; schema?: FieldSchema }[]
  requestBody?: { content?: Record<string, { schema?: FieldSchema }> }
}
/** each documented operation's querystring and JSON body fields, by "METHOD /path" */
const FIELDS = new Map<string, { query: Record<string, FieldSchema>; body: Record<string, FieldSchema> }>()

/** a value for a documented field: mostly of its type (so the request gets past the schema), often a nasty one */
function fieldValue(rng: Rng, f: FieldSchema, depth = 0): unknown {
  const type = Array.isArray(f.type) ? f.type[0] : f.type ?? f.anyOf?.[0]?.type
  if (f.format === 'date') return rng.pick(DAYS)
  if (f.format === 'date-time') return rng.pick(DATE_TIMES)
  if (rng.chance(0.15)) return randomValue(rng)
  switch (type) {
    case 'string': return rng.pick(['正常文本内容', 'ab\u0000cd', 'garbage', 'road', '13800001111', 'x'.repeat(rng.int(1, 40)), '\u0000'])
    case 'integer': return rng.pick([1, 2, 3, rng.int(1, 300), rng.int(-3, 99_999)])
    case 'number': return rng.pick([117.4, 35.1, rng.range(-200, 200), 0])
    case 'boolean': return rng.chance(0.5)
    case 'array': return depth > 2 || !f.items ? [] : Array.from({ length: rng.int(0, 3) }, () => fieldValue(rng, f.items!, depth + 1))
    case 'object': return depth > 2 ? {} : Object.fromEntries(Object.entries(f.properties ?? {}).map(([k, v]) => [k, fieldValue(rng, v, depth + 1)]))
    default: return randomValue(rng)
  }
}
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

/**
 * The same photo sent three times at once by one signed-in user, and three times by one
 * resident (from an address of its own, under the hourly limit): never a 5xx, and each
 * uploader's successes name one photo.
 */
async function identicalUploads(rng: Rng, tokens: string[], round: number): Promise<string[]> {
  const shade = rng.int(0, 255)
  const bytes = await sharp({ create: { width: rng.int(8, 64), height: rng.int(8, 64), channels: 3, background: { r: shade, g: round % 256, b: 77 } } }).jpeg().toBuffer()
  const token = rng.pick(tokens)
  const staff = () => t.app.inject({ method: 'POST', url: '/api/photos', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, payload: bytes })
  const resident = () => t.app.inject({
    method: 'POST', url: '/api/public/photos', remoteAddress: `10.8.${Math.floor(round / 256)}.${round % 256}`,
    headers: { 'content-type': 'image/jpeg', 'x-upload-key': `fuzz-twin-key-${round}-0000000` }, payload: bytes,
  })
  const fails: string[] = []
  for (const group of [await Promise.all([staff(), staff(), staff()]), await Promise.all([resident(), resident(), resident()])]) {
    for (const r of group) if (r.statusCode >= 500) fails.push(`identical upload (round ${round}) → ${r.statusCode} ${r.body.slice(0, 120)}`)
    const ids = new Set(group.filter((r) => r.statusCode < 300).map((r) => r.json().id))
    if (ids.size > 1) fails.push(`identical uploads (round ${round}) made ${ids.size} photos`)
  }
  return fails
}

describe('fuzz', () => {
  it('answers 5,000 malformed requests without a 5xx or a crash', async () => {
    expect(PATHS).toContain('/api/vehicles/positions')
    expect(PATHS.length).toBeGreaterThan(20)
    const rng = new Rng(808)
    const accounts = ['admin', 'display', 'cadre-1', 'gw-1', 'dispatcher', 'device']
    const tokens = [...(await Promise.all(accounts.map((a) => t.token(a)))), 'garbage-token-xxxxxxxxxxxx', '']
    // the fuzz signs its own tokens out now and then (POST /api/auth/logout): an account's token
    // that stopped working is renewed, so later requests still reach the handlers behind the gate
    const renew = async (token: string) => {
      const i = tokens.indexOf(token)
      if (i < 0 || i >= accounts.length) return
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: accounts[i], password: TEST_PASSWORD } })
      if (res.statusCode === 200) tokens[i] = res.json().token
    }
    const fails: string[] = []
    const counts: Record<string, number> = {}
    const visited = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      // mostly the documented method of a route, sometimes any method on any path
      const [docMethod, docPath] = rng.pick(ROUTES)
      visited.add(`${docMethod} ${docPath}`)
      // a third of the requests speak the route's own fields, with values that reach its handler
      const fields = rng.chance(0.35) ? FIELDS.get(`${docMethod} ${docPath}`) : undefined
      const pathValue = () => (fields && rng.chance(0.7) ? rng.int(1, 60) : rng.pick([...NASTY, rng.int(-3, 99999)]))
      let url = (fields || rng.chance(0.8) ? docPath : rng.pick(PATHS)).replace(/:(\w+)/g, () => encodeURIComponent(String(pathValue())))
      const q = fields && Object.keys(fields.query).length
        ? Object.entries(fields.query).filter(() => rng.chance(0.6)).map(([k, f]) => `${k}=${encodeURIComponent(String(fieldValue(rng, f)))}`)
        : Array.from({ length: rng.int(0, 3) }, () => `${rng.pick(PARAMS)}=${encodeURIComponent(String(randomValue(rng)))}`)
      if (q.length) url += '?' + q.join('&')
      const method = fields ? docMethod : rng.chance(0.8) ? docMethod : rng.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const)
      const token = rng.pick(tokens)
      const payload = fields && Object.keys(fields.body).length
        ? JSON.stringify(Object.fromEntries(Object.entries(fields.body).filter(() => rng.chance(0.85)).map(([k, f]) => [k, fieldValue(rng, f)])))
        : randomBody(rng)
      const res = await t.app.inject({
        method: method as 'GET', url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': fields ? 'application/json' : rng.pick(CONTENT_TYPES) } : {}) },
        payload,
      })
      counts[String(res.statusCode)[0] + 'xx'] = (counts[String(res.statusCode)[0] + 'xx'] ?? 0) + 1
      if (res.statusCode === 401) await renew(token)
      if (res.statusCode >= 500) fails.push(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 120)}`)
      else if (res.statusCode >= 400) {
        const body = res.json()
        if (typeof body.message !== 'string' || body.statusCode !== res.statusCode) fails.push(`${method} ${url}: error body ${res.body.slice(0, 80)}`)
      }
      if (i % 100 === 0) fails.push(...(await identicalUploads(rng, tokens.slice(0, 5), i)))
    }
    expect(fails).toEqual([])
    expect(counts['4xx']).toBeGreaterThan(2500)
    expect(visited.size).toBe(ROUTES.length)
    expect((await t.app.inject('/api/health')).statusCode).toBe(200)
  }, 300_000)
})

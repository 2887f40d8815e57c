import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// The auth gate decides on the route the router matched, before any body is read, and the
// request log never carries a token.
let t: TestApp
let port: number
const logged: string[] = []
beforeAll(async () => {
  t = await openTestApp({ logger: { level: 'info', stream: { write: (line: string) => void logged.push(line) } } })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = (t.app.server.address() as { port: number }).port
})
afterAll(async () => t?.close())

/**
 * Sends a request head announcing a big body and no body at all: a gate that decides first
 * answers at once; one that reads the body first waits for bytes that never come.
 */
function headOnly(requestLine: string, headers: Record<string, string>): Promise<{ status: number; body: string } | 'no answer'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve('no answer')
    }, 3000)
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8')
      const end = data.indexOf('\r\n\r\n')
      if (end < 0) return
      const length = Number(/content-length: (\d+)/i.exec(data)?.[1] ?? 0)
      if (data.length - end - 4 < length) return
      clearTimeout(timer)
      socket.destroy()
      resolve({ status: Number(data.slice(9, 12)), body: data.slice(end + 4) })
    })
    socket.on('error', reject)
    socket.write(`${requestLine}\r\n${Object.entries({ host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`)
  })
}

describe('the auth gate', () => {
  it('answers 401 however the address of a protected route is spelled', async () => {
    for (const url of ['/api/residents/abc', '/%61pi/residents/abc', '/%61%70%69/residents/1', '/api/%72esidents/1', '/api/residents/1?x=%00']) {
      const res = await t.app.inject({ url })
      expect(res.statusCode, url).toBe(401)
    }
  })

  it('answers 401 before reading the body, for encoded and absolute-form request targets', async () => {
    const body = { 'content-type': 'text/csv', 'content-length': String(20 * 1024 * 1024) }
    for (const line of [
      'POST /api/work-orders/import HTTP/1.1',
      'POST /%61pi/work-orders/import HTTP/1.1',
      `POST http://127.0.0.1:${port}/api/work-orders/import HTTP/1.1`,
      'POST /%61pi/household-visits HTTP/1.1',
    ]) {
      const answer = await headOnly(line, body)
      expect(answer, line).not.toBe('no answer')
      if (answer !== 'no answer') expect(answer.status, line).toBe(401)
    }
  })

  it('keeps unknown routes a 404 and public ones open', async () => {
    expect((await t.app.inject('/api/no-such-thing')).statusCode).toBe(404)
    expect((await t.app.inject('/api/health')).statusCode).toBe(200)
  })
})

/** the sources of a CSP that are not this server's own: hosts, schemes such as https:, wildcards */
function externalSources(csp: string): string[] {
  return csp.split(';').flatMap((d) => d.trim().split(/\s+/).slice(1))
    .filter((src) => src && !/^'(self|none|unsafe-inline|sha256-[A-Za-z0-9+/=]+)'$/.test(src) && src !== 'data:' && src !== 'blob:')
}

describe('the API docs', () => {
  it('gives the API description to a signed-in admin only', async () => {
    for (const url of ['/api/docs/json', '/api/docs/yaml']) {
      expect((await t.app.inject(url)).statusCode, url).toBe(401)
      expect((await t.as('dispatcher', url)).statusCode, url).toBe(403)
      const own = await t.as('admin', url)
      expect(own.statusCode, url).toBe(200)
      expect(own.body, url).toContain('/api/residents/{id}')
    }
  })

  it('serves its page from this server alone: no validator, no outside source in any CSP', async () => {
    const page = await t.app.inject('/api/docs/')
    expect(page.statusCode).toBe(200)
    const assets = [...page.body.matchAll(/(?:href|src)="\.\/([^"]+)"/g)].map((m) => `/api/docs/${m[1]}`)
    expect(assets).toContain('/api/docs/static/swagger-initializer.js')
    const init = await t.app.inject('/api/docs/static/swagger-initializer.js')
    expect(init.body).toMatch(/validatorUrl: null/)
    for (const url of ['/api/docs', '/api/docs/', ...assets]) {
      const res = await t.app.inject(url)
      expect(res.statusCode, url).toBeLessThan(400)
      expect(externalSources(String(res.headers['content-security-policy'])), url).toEqual([])
    }
    for (const res of [await t.app.inject('/api/docs/json'), await t.as('admin', '/api/docs/json')]) {
      expect(externalSources(String(res.headers['content-security-policy']))).toEqual([])
    }
  })
})

describe('tokens in logs', () => {
  it('never writes a token from an address into the request log', async () => {
    const token = await t.token('display')
    logged.length = 0
    await t.app.inject(`/?token=${token}`)
    await t.app.inject(`/api/health?token=${token}`)
    await t.app.inject({ url: `/api/villages?access_token=${token}&x=1`, headers: { authorization: `Bearer ${token}` } })
    await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'display', password: 'a-wrong-password' } })
    const text = logged.join('')
    expect(text).toContain('[redacted]')
    expect(text).toContain('/api/villages')
    expect(text).not.toContain(token)
    expect(text).not.toContain('a-wrong-password')
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import { forgetStaleThrottles } from './throttle.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp({ loginRateLimit: 10_000 })
})
afterAll(async () => t?.close())

const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress })
/** the body of a refusal without its figures (seconds to wait differ by the moment) */
const shape = (body: string) => body.replace(/\d+/g, '#')

describe('sign-in', () => {
  it('returns a token and the user, and the token opens the API', async () => {
    const res = await login('leader', TEST_PASSWORD)
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.user).toMatchObject({ username: 'leader', role: 'leader', villageId: null, gridId: null })
    expect(body.token.length).toBeGreaterThan(30)
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now())
    const me = await t.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${body.token}` } })
    expect(me.json().username).toBe('leader')
  })

  it('rejects a wrong password or unknown user with the same answer', async () => {
    const a = await login('leader', 'nope-nope')
    const b = await login('nobody-here', 'nope-nope')
    expect(a.statusCode).toBe(401)
    expect(b.statusCode).toBe(401)
    expect(a.json().message).toBe(b.json().message)
  })

  it('gives the display role a long-lived token', async () => {
    const res = await login('display', TEST_PASSWORD)
    expect(new Date(res.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(300 * 24 * 3600_000)
  })

  it('revokes the token on logout', async () => {
    const token = (await login('cadre-2', TEST_PASSWORD)).json().token
    const auth = { authorization: `Bearer ${token}` }
    expect((await t.app.inject({ url: '/api/villages', headers: auth })).statusCode).toBe(200)
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: auth })).statusCode).toBe(204)
    expect((await t.app.inject({ url: '/api/villages', headers: auth })).statusCode).toBe(401)
  })

  it('refuses an expired token', async () => {
    const token = (await login('cadre-3', TEST_PASSWORD)).json().token
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE username = 'cadre-3')`)
    expect((await t.app.inject({ url: '/api/villages', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401)
  })

  it('stores only a hash of each token and a salted scrypt hash of each password', async () => {
    const token = (await login('admin', TEST_PASSWORD)).json().token
    const s = await t.db.query<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE token_hash = $1', [token])
    expect(s.rows[0].n).toBe(0)
    const u = await t.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE username = 'admin'`)
    expect(u.rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$/)
    expect(u.rows[0].password_hash).not.toContain(TEST_PASSWORD)
  })

  it('names the field when the login body is malformed', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toContain('password')
  })
})

describe('sign-in throttle: per account and address, slowing down rather than locking', () => {
  it("slows down the address that guesses wrong, not the owner signing in at hers", async () => {
    const attacker = '203.0.113.7'
    const wrong = await login('admin', 'wrong-password', attacker)
    for (let i = 0; i < 4; i++) expect((await login('admin', `wrong-${i}`, attacker)).body).toBe(wrong.body)
    expect(wrong.statusCode).toBe(401)
    const held = await login('admin', TEST_PASSWORD, attacker)
    expect(held.statusCode).toBe(429)
    expect(held.json().code).toBe('login_throttled')
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0)
    // the owner, at her own address, signs in at once
    const owner = await login('admin', TEST_PASSWORD, '198.51.100.20')
    expect(owner.statusCode).toBe(200)
  })

  it('counts parallel guesses from one address exactly: five are checked, the rest wait', async () => {
    const from = '203.0.113.8'
    // before the count was taken in one statement, every guess read "not locked" first and all twenty were checked
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => login('gw-8', `wrong-${i}`, from)))
    const checked = guesses.filter((r) => r.statusCode === 401).length
    const waited = guesses.filter((r) => r.statusCode === 429 && r.json().code === 'login_throttled' && Number(r.headers['retry-after']) > 0).length
    expect([checked, waited]).toEqual([5, 15])
    const row = await t.db.query<{ failures: number }>(`SELECT failures FROM login_throttles WHERE username = 'gw-8' AND address = $1`, [from])
    expect(row.rows).toEqual([{ failures: 5 }])
    expect((await login('gw-8', TEST_PASSWORD, from)).statusCode).toBe(429)
    expect((await login('gw-8', TEST_PASSWORD, '198.51.100.21')).statusCode).toBe(200)
  })

  it('throttles an unknown username, and a disabled account, exactly as it throttles a real one', async () => {
    await t.db.query(`UPDATE users SET disabled = true WHERE username = 'gw-12'`)
    const answers = async (username: string, from: string) => {
      const out: string[] = []
      for (let i = 0; i < 6; i++) {
        const r = await login(username, 'wrong-password', from)
        out.push(`${r.statusCode} ${shape(String(r.headers['retry-after'] ?? '-'))} ${shape(r.body)}`)
      }
      return out
    }
    const real = await answers('gw-10', '203.0.113.9')
    expect(real[5]).toMatch(/^429 # .*login_throttled/)
    expect(await answers('nobody-here', '203.0.113.9')).toEqual(real)
    expect(await answers('gw-12', '203.0.113.9')).toEqual(real)
  })

  it('slows a guess spread over many addresses for new addresses only: the owner signs in at an address she has used', async () => {
    const home = '198.51.100.30'
    expect((await login('gw-11', TEST_PASSWORD, home)).statusCode).toBe(200)
    for (let i = 1; i <= 30; i++) expect((await login('gw-11', 'wrong-password', `10.9.0.${i}`)).statusCode).toBe(401)
    const fresh = await login('gw-11', TEST_PASSWORD, '10.9.1.1')
    expect(fresh.statusCode).toBe(429)
    expect(fresh.json().code).toBe('login_throttled')
    expect((await login('gw-11', TEST_PASSWORD, home)).statusCode).toBe(200)
  })

  it('forgets quiet addresses and finished windows, and keeps the addresses an account signs in from', async () => {
    await t.db.query(`INSERT INTO login_throttles (username, address, failures, last_failure_at, last_success_at) VALUES
      ('sweep-a', '192.0.2.1', 3, now() - interval '25 hours', NULL),
      ('sweep-a', '192.0.2.2', 3, now() - interval '1 hour', NULL),
      ('sweep-a', '192.0.2.3', 0, now() - interval '25 hours', now() - interval '10 days'),
      ('sweep-a', '192.0.2.4', 0, NULL, now() - interval '91 days')`)
    await t.db.query(`INSERT INTO login_account_throttles (username, window_start, attempts) VALUES ('sweep-a', now() - interval '16 minutes', 30), ('sweep-b', now(), 3)`)
    await forgetStaleThrottles(t.db)
    const kept = await t.db.query<{ address: string }>(`SELECT address FROM login_throttles WHERE username = 'sweep-a' ORDER BY address`)
    expect(kept.rows.map((r) => r.address)).toEqual(['192.0.2.2', '192.0.2.3'])
    const windows = await t.db.query<{ username: string }>(`SELECT username FROM login_account_throttles WHERE username LIKE 'sweep-%'`)
    expect(windows.rows).toEqual([{ username: 'sweep-b' }])
  })
})

describe('login rate limit', () => {
  it('answers 429 past the per-minute budget', async () => {
    const limited = await openTestApp({ loginRateLimit: 3 })
    try {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) {
        codes.push((await limited.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y' } })).statusCode)
      }
      expect(codes.slice(0, 3)).toEqual([401, 401, 401])
      expect(codes.slice(3)).toEqual([429, 429])
    } finally {
      await limited.close()
    }
  })
})

describe('security headers', () => {
  it('sends a CSP without inline scripts and the usual hardening headers', async () => {
    const res = await t.app.inject({ url: '/api/health' })
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).toContain("worker-src 'self' blob:")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBeDefined()
  })

  it('refuses bodies over the size limit', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'a'.repeat(2 * 1024 * 1024), password: 'x' } })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toMatchObject({ statusCode: 413 })
  })
})

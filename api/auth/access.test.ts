import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Each role against each route family: 401 without a token, 403 outside scope (never a
// silently filtered answer), masked by default, unmasking audited.
let t: TestApp
let ids: { gridA: number; gridA2: number; gridB: number; hA: number; hB: number; rA: number; rB: number; villageA: number }
beforeAll(async () => {
  t = await openTestApp()
  const q = async (sql: string) => (await t.db.query<{ id: number }>(sql)).rows[0].id
  const gridA = await q('SELECT id FROM grids WHERE village_id = 1 ORDER BY id LIMIT 1')
  const gridA2 = await q('SELECT id FROM grids WHERE village_id = 1 ORDER BY id DESC LIMIT 1')
  const gridB = await q('SELECT id FROM grids WHERE village_id = 2 ORDER BY id LIMIT 1')
  const hA = await q(`SELECT id FROM households WHERE grid_id = ${gridA} ORDER BY id LIMIT 1`)
  const hB = await q(`SELECT id FROM households WHERE grid_id = ${gridB} ORDER BY id LIMIT 1`)
  const rA = await q(`SELECT id FROM residents WHERE household_id = ${hA} ORDER BY id LIMIT 1`)
  const rB = await q(`SELECT id FROM residents WHERE household_id = ${hB} ORDER BY id LIMIT 1`)
  ids = { gridA, gridA2, gridB, hA, hB, rA, rB, villageA: 1 }
})
afterAll(async () => t?.close())

const families = () => ({
  geo: '/api/villages',
  grids: '/api/grids?village=1',
  householdList: `/api/households?grid=${ids.gridA}`,
  household: `/api/households/${ids.hA}`,
  resident: `/api/residents/${ids.rA}`,
  tiles: '/api/tiles/grids/10/845/405.mvt',
  audit: '/api/audit',
  me: '/api/auth/me',
})

describe('every route family', () => {
  it('answers 401 without a token or with a bad one', async () => {
    for (const url of Object.values(families())) {
      expect((await t.app.inject(url)).statusCode, url).toBe(401)
      expect((await t.app.inject({ url, headers: { authorization: 'Bearer not-a-real-token-0123456789' } })).statusCode, url).toBe(401)
    }
  })

  it('lets the device role ingest only', async () => {
    for (const [name, url] of Object.entries(families())) {
      const code = (await t.as('device', url)).statusCode
      expect(code, name).toBe(name === 'me' ? 200 : 403)
    }
  })

  it('lets town-wide roles read everything except the audit trail', async () => {
    for (const role of ['leader', 'dispatcher', 'display']) {
      for (const [name, url] of Object.entries(families())) {
        const code = (await t.as(role, url)).statusCode
        expect(code, `${role} ${name}`).toBe(name === 'audit' ? 403 : 200)
      }
    }
    expect((await t.as('admin', '/api/audit')).statusCode).toBe(200)
  })
})

describe('scope', () => {
  it('keeps a village cadre inside his village', async () => {
    const u = 'cadre-1'
    expect((await t.as(u, `/api/households?grid=${ids.gridA}`)).statusCode).toBe(200)
    expect((await t.as(u, `/api/households/${ids.hA}`)).statusCode).toBe(200)
    expect((await t.as(u, `/api/residents/${ids.rA}`)).statusCode).toBe(200)
    expect((await t.as(u, `/api/households?grid=${ids.gridB}`)).statusCode).toBe(403)
    expect((await t.as(u, `/api/households/${ids.hB}`)).statusCode).toBe(403)
    expect((await t.as(u, `/api/residents/${ids.rB}`)).statusCode).toBe(403)
    expect((await t.as(u, '/api/tiles/households/14/13530/6480.mvt')).statusCode).toBe(403)
  })

  it('keeps a grid worker inside her grid', async () => {
    const u = `gw-${ids.gridA}`
    expect((await t.as(u, `/api/households?grid=${ids.gridA}`)).statusCode).toBe(200)
    expect((await t.as(u, `/api/residents/${ids.rA}`)).statusCode).toBe(200)
    expect((await t.as(u, `/api/households?grid=${ids.gridA2}`)).statusCode).toBe(403)
    expect((await t.as(u, `/api/households/${ids.hB}`)).statusCode).toBe(403)
    expect((await t.as(u, `/api/residents/${ids.rB}`)).statusCode).toBe(403)
  })

  it('still says 404 for ids that do not exist', async () => {
    expect((await t.as('cadre-1', '/api/households/99999999')).statusCode).toBe(404)
    expect((await t.as('cadre-1', '/api/residents/99999999')).statusCode).toBe(404)
  })
})

describe('masking and unmasking', () => {
  it('masks household members by default for every role', async () => {
    for (const role of ['admin', 'leader', 'display', 'cadre-1', `gw-${ids.gridA}`]) {
      const h = (await t.as(role, `/api/households/${ids.hA}`)).json()
      expect(h.members.length).toBeGreaterThan(0)
      for (const m of h.members) {
        expect(m.masked).toBe(true)
        expect(m.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/)
        expect(m.name).toContain('*')
        expect(m.keyGroups).toBeUndefined()
        if (m.phone) expect(m.phone).toMatch(/^\d{3}\*{4}\d{4}$/)
      }
    }
  })

  it('unmasks for an authorised role with a reason, and audits who, whom, why and from where', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')).rows[0].n
    const res = await t.as('leader', {
      method: 'GET', url: `/api/residents/${ids.rA}?unmask=1&reason=${encodeURIComponent('核查低保申请')}`,
      headers: { 'user-agent': 'vitest-browser' },
    })
    expect(res.statusCode).toBe(200)
    const r = res.json()
    expect(r.masked).toBe(false)
    expect(r.idNumber).toMatch(/^\d{17}[\dX]$/)
    expect(Array.isArray(r.keyGroups)).toBe(true)
    const audit = await t.db.query<{ username: string; resident_id: number; reason: string; ip: string; user_agent: string; action: string }>(
      'SELECT username, resident_id, reason, ip, user_agent, action FROM audit_log ORDER BY id DESC LIMIT 1',
    )
    expect((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')).rows[0].n).toBe(before + 1)
    expect(audit.rows[0]).toMatchObject({ username: 'leader', resident_id: ids.rA, reason: '核查低保申请', user_agent: 'vitest-browser', action: 'unmask' })
    expect(audit.rows[0].ip.length).toBeGreaterThan(0)
    const list = (await t.as('admin', `/api/audit?residentId=${ids.rA}`)).json()
    expect(list.entries[0]).toMatchObject({ username: 'leader', residentId: ids.rA, reason: '核查低保申请' })
  })

  it('lets scoped roles unmask only inside their scope', async () => {
    const reason = 'reason=' + encodeURIComponent('入户走访核对')
    expect((await t.as('cadre-1', `/api/residents/${ids.rA}?unmask=1&${reason}`)).statusCode).toBe(200)
    expect((await t.as('cadre-1', `/api/residents/${ids.rB}?unmask=1&${reason}`)).statusCode).toBe(403)
    expect((await t.as(`gw-${ids.gridA}`, `/api/residents/${ids.rA}?unmask=1&${reason}`)).statusCode).toBe(200)
  })

  it('refuses to unmask for display and dispatcher, and without a reason', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')).rows[0].n
    for (const role of ['display', 'dispatcher']) {
      expect((await t.as(role, `/api/residents/${ids.rA}?unmask=1&reason=whatever`)).statusCode, role).toBe(403)
    }
    const noReason = await t.as('leader', `/api/residents/${ids.rA}?unmask=1`)
    expect(noReason.statusCode).toBe(400)
    expect(noReason.json().message).toContain('reason')
    expect((await t.db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')).rows[0].n).toBe(before)
  })
})

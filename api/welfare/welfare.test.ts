import { io as connect } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { getStats, type Stats } from '../stats/repository.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'

// 民生资金 on the desk (a month per village, an audited correction), on the wall (村级事务 moves
// by exactly what was written) and for residents (三务公开: published months only, anonymous,
// no person).
let t: TestApp
let civil: string
let latest: string
const LOOKUPS = 40
beforeAll(async () => {
  t = await openTestApp({ publicLimits: { lookupsPerMinute: LOOKUPS } })
  civil = `dept-${(await t.db.query<{ id: number }>(`SELECT id FROM departments WHERE name = '民政局'`)).rows[0].id}`
  latest = (await t.db.query<{ m: string }>(`SELECT to_char(max(month), 'YYYY-MM') AS m FROM welfare_funds`)).rows[0].m
  await insertUsers(t.db, [{ username: 'town-leader', displayName: '店子镇领导', role: 'leader', townId: 1, passwordHash: await hashPassword(TEST_PASSWORD) }])
})
afterAll(async () => t?.close())

type Month = { month: string | null; months: string[]; villages: { villageId: number; totalYuan: number; publishedAt: string | null; funds: { category: string; amountYuan: number; recipients: number; updatedBy: string | null; source: string | null }[] }[] }
const list = async (who: string, query = '') => {
  const res = await t.as(who, `/api/welfare-funds${query}`)
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
  return res.json() as Month
}
const put = (who: string, village: number, month: string, category: string, body: Record<string, unknown>) =>
  t.as(who, { method: 'PUT', url: `/api/welfare-funds/${village}/${month}/${encodeURIComponent(category)}`, payload: body })
const del = (who: string, village: number, month: string, category: string, reason: string) =>
  t.as(who, { method: 'DELETE', url: `/api/welfare-funds/${village}/${month}/${encodeURIComponent(category)}`, payload: { reason } })
const publish = (who: string, body: Record<string, unknown>) => t.as(who, { method: 'POST', url: '/api/welfare-funds/publications', payload: body })
const affairs = async (scope: string) => (await t.as('leader', `/api/stats?scope=${scope}`)).json().affairs as NonNullable<Stats['affairs']>
const held = async (village: number, category: string) => (await list('admin', `?month=${latest}&village=${village}`)).villages[0].funds.find((f) => f.category === category)!
const audits = async () => (await t.db.query<{ username: string; reason: string }>(`SELECT username, reason FROM audit_log WHERE action = 'welfareFundEdit' ORDER BY id`)).rows
const addMonths = (ym: string, k: number) => {
  const [y, m] = ym.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 + k, 1))
  return d.toISOString().slice(0, 7)
}
const pub = (village: number) => t.app.inject({ method: 'GET', url: `/api/public/villages/${village}/affairs` })

describe('the desk: a month per village', () => {
  it("lists the latest month's figures for the caller's scope, and refuses other villages and other departments", async () => {
    const all = await list('leader')
    expect(all.month).toBe(latest)
    expect(all.months[0]).toBe(latest)
    expect(all.villages).toHaveLength(17)
    expect(all.villages[0].funds.length).toBeGreaterThan(3)
    expect((await list(civil)).villages).toHaveLength(17)
    const mine = await list('cadre-1')
    expect(mine.villages.map((v) => v.villageId)).toEqual([1])
    expect((await t.as('cadre-1', '/api/welfare-funds?village=2')).statusCode).toBe(403)
    expect((await t.as('leader', '/api/welfare-funds?village=99999')).statusCode).toBe(404)
    expect((await t.as('dept-1', '/api/welfare-funds')).json().code).toBe('not_welfare_department')
    for (const who of ['dispatcher', 'display', 'gw-1']) expect((await t.as(who, '/api/welfare-funds')).statusCode, who).toBe(403)
    expect((await t.as('leader', '/api/welfare-funds?month=2026-13')).statusCode).toBe(400)
  })

  it('corrects a figure with a reason, audited; the same figure again changes nothing; leaders and cadres may not', async () => {
    const before = await held(2, '高龄津贴')
    const earlier = (await audits()).length
    const res = await put(civil, 2, latest, '高龄津贴', { amountYuan: 3333.3, recipients: 31, reason: '核对发放清单后更正' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ changed: true, withdrawn: false })
    expect(await held(2, '高龄津贴')).toMatchObject({ amountYuan: 3333.3, recipients: 31, updatedBy: civil, source: 'edit' })
    const trail = (await audits()).slice(earlier)
    expect(trail).toEqual([{ username: civil, reason: `village 2 ${latest} 高龄津贴: ${before.amountYuan}元/${before.recipients}人 → 3333.3元/31人; 核对发放清单后更正` }])
    expect((await put(civil, 2, latest, '高龄津贴', { amountYuan: 3333.3, recipients: 31, reason: '再次核对' })).json()).toEqual({ changed: false, withdrawn: false })
    expect(await audits()).toHaveLength(earlier + 1)
    for (const who of ['leader', 'cadre-2', 'dept-1']) expect((await put(who, 2, latest, '高龄津贴', { amountYuan: 1, recipients: 1, reason: '试试' })).statusCode, who).toBe(403)
    expect((await put('admin', 2, latest, '高龄津贴', { amountYuan: 12.345, recipients: 1, reason: '小数' })).json().message).toMatch(/body\/amountYuan/)
    expect((await put('admin', 2, latest, '低保费', { amountYuan: 1, recipients: 1, reason: '类别' })).statusCode).toBe(400)
    expect((await put('admin', 2, latest, '高龄津贴', { amountYuan: 1, recipients: 1 })).json().message).toMatch(/reason/)
    expect((await put('admin', 99999, latest, '高龄津贴', { amountYuan: 1, recipients: 1, reason: '没有这个村' })).statusCode).toBe(404)
    expect((await put('admin', 2, '2999-01', '高龄津贴', { amountYuan: 1, recipients: 1, reason: '未来' })).statusCode).toBe(400)
  })

  it('deletes a figure entered by mistake (audited), and says 404 for one that is not there', async () => {
    expect((await put('admin', 3, latest, '孤儿基本生活费', { amountYuan: 900, recipients: 1, reason: '补录' })).json().changed).toBe(true)
    const gone = await del('admin', 3, latest, '孤儿基本生活费', '重复录入')
    expect(gone.statusCode, gone.body).toBe(200)
    expect((await list('admin', `?month=${latest}&village=3`)).villages[0].funds.some((f) => f.category === '孤儿基本生活费')).toBe(false)
    expect((await audits()).at(-1)!.reason).toMatch(/孤儿基本生活费: 900元\/1人 → none; 重复录入/)
    expect((await del('admin', 3, latest, '孤儿基本生活费', '重复录入')).statusCode).toBe(404)
  })
})

describe('村级事务 on the wall', () => {
  const cents = (x: number) => Math.round(x * 100)
  const category = (a: NonNullable<Stats['affairs']>, c: string) => a.fundsByCategory.find((f) => f.category === c)!
  const village = (a: NonNullable<Stats['affairs']>, id: number) => a.fundsByVillage.find((v) => v.villageId === id)!.amountYuan

  it('moves by exactly what a correction and an import wrote, in the village and the town, and equals a recount', async () => {
    const [v4, town] = [await affairs('village:4'), await affairs('town')]
    const old = await held(4, '低保金')
    expect((await put(civil, 4, latest, '低保金', { amountYuan: old.amountYuan + 1000.5, recipients: old.recipients + 3, reason: '补发' })).statusCode).toBe(200)
    const csv = `村,月份,类别,金额,人数\r\n${(await t.db.query<{ name: string }>('SELECT name FROM villages WHERE id = 4')).rows[0].name},${latest},临时救助,4321.09,5`
    const oldRelief = (await held(4, '临时救助')) ?? { amountYuan: 0, recipients: 0 }
    const imported = await t.as(civil, { method: 'POST', url: '/api/imports/welfare-funds', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(csv) })
    expect(imported.statusCode, imported.body).toBe(200)
    const [v4After, townAfter] = [await affairs('village:4'), await affairs('town')]
    const delta = 100050 + (432109 - cents(oldRelief.amountYuan))
    for (const [before, after] of [[v4, v4After], [town, townAfter]]) {
      expect(cents(after.fundsTotalYuan) - cents(before.fundsTotalYuan)).toBe(delta)
      expect(cents(category(after, '低保金').amountYuan) - cents(category(before, '低保金').amountYuan)).toBe(100050)
      expect(category(after, '低保金').recipients - category(before, '低保金').recipients).toBe(3)
      expect(category(after, '临时救助').recipients - category(before, '临时救助').recipients).toBe(5 - oldRelief.recipients)
      expect(cents(village(after, 4)) - cents(village(before, 4))).toBe(delta)
    }
    // the other villages did not move
    expect(townAfter.fundsByVillage.filter((v) => v.villageId !== 4)).toEqual(town.fundsByVillage.filter((v) => v.villageId !== 4))
    // the figures are read, not rolled up: a recount gives the same
    const live = await getStats(t.db, { kind: 'town', id: 1 }, { keyGroupDetail: true, live: true })
    expect(live!.affairs).toEqual(townAfter)
  })

  it('moves by exactly a deleted figure; a dry run, a refused file and a publication move nothing', async () => {
    const name = (await t.db.query<{ name: string }>('SELECT name FROM villages WHERE id = 9')).rows[0].name
    const town = await affairs('town')
    const send = (body: string, query = '') => t.as(civil, { method: 'POST', url: `/api/imports/welfare-funds${query}`, headers: { 'content-type': 'text/csv' }, payload: Buffer.from(body) })
    expect((await send(`村,月份,类别,金额,人数\n${name},${latest},低保金,1,1`, '?dryRun=1')).statusCode).toBe(200)
    const refused = await send(`村,月份,类别,金额,人数\n${name},${latest},低保金,1,1\n${name},${latest},低保费,1,1`)
    expect(refused.statusCode).toBe(422)
    expect(refused.json().errors).toEqual([expect.objectContaining({ row: 3, column: '类别' })])
    expect((await publish('leader', { month: latest, villageId: 9 })).json()).toEqual({ published: 1 })
    expect(await affairs('town')).toEqual(town)

    const gone = await held(9, '高龄津贴')
    expect((await del(civil, 9, latest, '高龄津贴', '误录')).json()).toEqual({ changed: true, withdrawn: true })
    const after = await affairs('town')
    expect(cents(after.fundsTotalYuan) - cents(town.fundsTotalYuan)).toBe(-cents(gone.amountYuan))
    expect(cents(category(after, '高龄津贴').amountYuan) - cents(category(town, '高龄津贴').amountYuan)).toBe(-cents(gone.amountYuan))
    expect(category(after, '高龄津贴').recipients - category(town, '高龄津贴').recipients).toBe(-gone.recipients)
    expect(cents(village(after, 9)) - cents(village(town, 9))).toBe(-cents(gone.amountYuan))
    expect((await getStats(t.db, { kind: 'town', id: 1 }, { keyGroupDetail: true, live: true }))!.affairs).toEqual(after)
  })

  it('covers the 12 months ending at the latest month reported, and names them', async () => {
    const before = await affairs('town')
    expect(before.fundsMonths).toEqual({ from: addMonths(latest, -11), to: latest })
    // a figure 12 months before the latest lies outside them
    await t.db.query(`INSERT INTO welfare_funds (village_id, month, category, amount_yuan, recipients) VALUES (5, $1::date, '低保金', 99999, 9)`, [`${addMonths(latest, -12)}-01`])
    expect(await affairs('town')).toEqual(before)
  })

  it('leaves a grid without funds of its own, and says no figures for a township without any', async () => {
    const grid = (await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id = 4 ORDER BY id LIMIT 1')).rows[0].id
    expect((await t.as('leader', `/api/stats?scope=grid:${grid}`)).json().affairs).toBeNull()
    // in a transaction rolled back: the other tests keep their figures
    const none = await t.db.transaction(async (tx) => {
      await tx.exec('DELETE FROM welfare_fund_publications; DELETE FROM welfare_funds')
      throw Object.assign(new Error('roll back'), { stats: await getStats(tx, { kind: 'town', id: 1 }, { keyGroupDetail: false }) })
    }).catch((err: { stats?: Stats }) => err.stats)
    expect(none!.affairs).toMatchObject({ fundsByCategory: [], fundsByVillage: [], fundsTotalYuan: 0, fundsMonths: null })
    expect(await t.db.query('SELECT 1 FROM welfare_funds LIMIT 1').then((r) => r.rows.length)).toBe(1)
  })
})

describe('三务公开 for residents', () => {
  it('a leader publishes a village-month; residents read it without an account, only what was published, and no person', async () => {
    expect((await pub(6)).json().payments).toEqual([])
    for (const who of ['cadre-6', civil, 'dispatcher']) expect((await publish(who, { month: latest, villageId: 6 })).statusCode, who).toBe(403)
    const res = await publish('leader', { month: latest, villageId: 6 })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ published: 1 })
    const page = await pub(6)
    expect(page.statusCode).toBe(200)
    expect(page.headers['cache-control']).toBe('public, max-age=300')
    const body = page.json()
    const desk = (await list('admin', `?month=${latest}&village=6`)).villages[0]
    expect(desk.publishedAt).not.toBeNull()
    expect(body.payments).toEqual([{
      month: latest, publishedAt: desk.publishedAt, totalYuan: desk.totalYuan, recipients: desk.funds.reduce((n, f) => n + f.recipients, 0),
      funds: desk.funds.map((f) => ({ category: f.category, amountYuan: f.amountYuan, recipients: f.recipients })),
    }])
    // sums only: nobody who wrote or published them, no free text
    expect(Object.keys(body).sort()).toEqual(['notices', 'payments', 'village'])
    for (const word of ['leader', civil, 'updatedBy', 'publishedBy', 'source']) expect(page.body).not.toContain(word)
    expect(Object.keys(body.notices[0]).sort()).toEqual(['category', 'publishedAt', 'title'])
    expect((await pub(99999)).statusCode).toBe(404)
    expect((await pub(0)).statusCode).toBe(400)
  })

  it("lists a published notice's title, never its body", async () => {
    const d = (await t.as('cadre-7', { method: 'POST', url: '/api/notices/drafts', payload: { category: '村务公开', title: '临时救助对象公示', body: '救助对象张三，联系电话13800001111' } })).json()
    await t.as('cadre-7', { method: 'PATCH', url: `/api/notices/drafts/${d.id}`, payload: { submit: true } })
    expect((await t.as('leader', { method: 'POST', url: `/api/notices/drafts/${d.id}/decision`, payload: { approve: true } })).statusCode).toBe(200)
    const page = await pub(7)
    expect(page.json().notices[0]).toMatchObject({ category: '村务公开', title: '临时救助对象公示' })
    expect(page.body).not.toContain('张三')
    expect(page.body).not.toContain('13800001111')
  })

  it('a later change withdraws the month until a leader publishes it again; a town leader publishes her own villages only', async () => {
    const old = await held(6, '高龄津贴')
    const change = await put(civil, 6, latest, '高龄津贴', { amountYuan: old.amountYuan + 10, recipients: old.recipients, reason: '更正' })
    expect(change.json()).toEqual({ changed: true, withdrawn: true })
    expect((await pub(6)).json().payments).toEqual([])
    expect((await publish('leader', { month: latest, villageId: 6 })).json()).toEqual({ published: 1 })
    const shown = (await pub(6)).json().payments[0].funds.find((f: { category: string }) => f.category === '高龄津贴')
    expect(shown.amountYuan).toBe(Math.round((old.amountYuan + 10) * 100) / 100)
    // an import that changes it withdraws it too, and says so before it is applied
    const name = (await t.db.query<{ name: string }>('SELECT name FROM villages WHERE id = 6')).rows[0].name
    const dry = await t.as('admin', { method: 'POST', url: '/api/imports/welfare-funds?dryRun=1', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(`村,月份,类别,金额,人数\n${name},${latest},高龄津贴,1,1`) })
    expect(dry.json()).toMatchObject({ withdrawn: 1, entries: [expect.objectContaining({ villageId: 6, withdraws: true })] })
    // the leader takes it back herself
    expect((await t.as('leader', { method: 'DELETE', url: `/api/welfare-funds/publications/6/${latest}` })).json()).toEqual({ withdrawn: true })
    expect((await pub(6)).json().payments).toEqual([])

    await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 17; UPDATE villages SET town_id = 2 WHERE id = 17`)
    try {
      expect((await publish('town-leader', { month: latest, villageId: 17 })).statusCode).toBe(403)
      const all = await publish('town-leader', { month: latest })
      const published = (await t.db.query<{ village_id: number }>(`SELECT village_id FROM welfare_fund_publications WHERE month = $1::date ORDER BY 1`, [`${latest}-01`])).rows.map((r) => r.village_id)
      expect(published).toEqual(Array.from({ length: 16 }, (_, i) => i + 1))
      expect(all.json().published).toBe(16)
      expect((await list('town-leader')).villages).toHaveLength(16)
    } finally {
      await t.db.exec(`UPDATE villages SET town_id = 1 WHERE id = 17; DELETE FROM towns WHERE id = 2`)
    }
    expect((await publish('leader', { month: '2001-01', villageId: 6 })).json().code).toBe('nothing_to_publish')
  })

  it('limits lookups per address like every public route', async () => {
    let last = 0
    for (let i = 0; i <= LOOKUPS && last !== 429; i++) last = (await pub(8)).statusCode
    expect(last).toBe(429)
    expect((await pub(8)).json().code).toBe('rate_limited')
  })
})

describe('an open wall', () => {
  it('hears of an import at once: dataChanged names welfare_funds, so 村级事务 refetches without a reload', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    const socket = connect(url, { auth: { token: await t.token('display') }, transports: ['websocket'], reconnection: false })
    try {
      await new Promise((resolve, reject) => { socket.on('hello', resolve); socket.on('connect_error', reject) })
      const heard = new Promise<string[]>((resolve) => socket.on('dataChanged', (m: { tables: string[] }) => { if (m.tables.includes('welfare_funds')) resolve(m.tables) }))
      const name = (await t.db.query<{ name: string }>('SELECT name FROM villages WHERE id = 10')).rows[0].name
      const res = await t.as(civil, { method: 'POST', url: '/api/imports/welfare-funds', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(`村,月份,类别,金额,人数\n${name},${latest},临时救助,777,7`) })
      expect(res.statusCode, res.body).toBe(200)
      expect(await heard).toContain('welfare_funds')
    } finally {
      socket.close()
    }
  })
})

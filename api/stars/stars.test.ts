import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import type { Stats } from '../stats/repository.ts'

// 星级评定: the town enters each village secretary's yearly review; the stars follow the rule
// (geo/stars.ts) with their reasons, in the desk's list and on the wall's 党建先锋.
let t: TestApp
const thisYear = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
beforeAll(async () => {
  t = await openTestApp()
  // a second town holding village 17, and a leader of town 1
  await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 17;
                   UPDATE villages SET town_id = 2 WHERE id = 17`)
  await insertUsers(t.db, [{ username: 'town-leader', displayName: '店子镇领导', role: 'leader', townId: 1, passwordHash: await hashPassword(TEST_PASSWORD) }])
})
afterAll(async () => t?.close())

const put = (who: string, village: number, year: number, body: unknown) =>
  t.as(who, { method: 'PUT', url: `/api/star-reviews/${village}/${year}`, payload: body as Record<string, unknown> })
const party = async (scope: string) => ((await t.as('leader', `/api/stats?scope=${scope}`)).json() as Stats).party!
const REVIEW = { annualReview: '优秀', honours: [{ level: 'provincial', name: '山东省优秀共产党员' }], tenureYears: 3 }

describe('star reviews', () => {
  it('a leader enters a review; the wall\'s stars for the village and the town follow, with their reasons', async () => {
    const town0 = await party('town')
    const was = town0.stars.find((s) => s.villageId === 5)!
    const res = await put('leader', 5, was.year, { ...REVIEW, honours: [...REVIEW.honours, { level: 'national', name: '全国优秀党务工作者' }] })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      villageId: 5, stars: 5,
      reasons: ['年度考核优秀 +2', '省级荣誉「山东省优秀共产党员」 +1', '国家级荣誉「全国优秀党务工作者」 +2'],
      review: { annualReview: '优秀', tenureYears: 3, reviewedBy: 'leader' },
    })
    const town1 = await party('town')
    const now = town1.stars.find((s) => s.villageId === 5)!
    expect(now).toMatchObject({ year: was.year, stars: 5, reasons: res.json().reasons })
    const total = (p: NonNullable<Stats['party']>) => p.stars.reduce((n, s) => n + s.stars, 0)
    expect(total(town1)).toBe(total(town0) - was.stars + 5)
    expect((await party('village:5')).stars).toEqual([now])
    // a secretary new in office: reviewed, not starred
    const fresh = await put('admin', 5, was.year, { ...REVIEW, tenureYears: 0 })
    expect(fresh.json()).toMatchObject({ stars: 0, reasons: ['任职未满1年，不计星'] })
    expect((await party('village:5')).stars[0].stars).toBe(0)
  })

  it("shows each village's latest review: a village reviewed for a new year moves alone", async () => {
    // the town as it stood before its latest year was reviewed
    const last = Math.max(...(await party('town')).stars.map((s) => s.year))
    await t.db.query('DELETE FROM star_reviews WHERE year = $1', [last])
    const before = await party('town')
    expect(new Set(before.stars.map((s) => s.year))).toEqual(new Set([last - 1]))
    expect((await put('leader', 6, last, { annualReview: '合格', honours: [], tenureYears: 4 })).statusCode).toBe(200)
    const after = await party('town')
    expect(after.stars.find((s) => s.villageId === 6)).toMatchObject({ year: last, stars: 1, reasons: ['年度考核合格 +1'] })
    expect(after.stars.filter((s) => s.villageId !== 6)).toEqual(before.stars.filter((s) => s.villageId !== 6))
  })

  it('lists the villages of the caller\'s scope with their review of a year, its stars and why; unreviewed ones without', async () => {
    const res = await t.as('leader', '/api/star-reviews?year=2025')
    expect(res.statusCode, res.body).toBe(200)
    const list = res.json() as { year: number; years: number[]; villages: { villageId: number; review: unknown; stars: number | null; reasons: string[] }[] }
    expect(list.year).toBe(2025)
    expect(list.years).toContain(2025)
    expect(list.villages).toHaveLength(17)
    for (const v of list.villages) {
      expect(v.review).not.toBeNull()
      expect(v.reasons.length).toBeGreaterThan(0)
    }
    const empty = (await t.as('leader', '/api/star-reviews?year=2019')).json() as typeof list
    expect(empty.villages.every((v) => v.review === null && v.stars === null && v.reasons.length === 0)).toBe(true)
    // the latest reviewed year by default
    expect((await t.as('leader', '/api/star-reviews')).json().year).toBe(list.years[0])
    // a town's leader: her town's villages only
    const mine = (await t.as('town-leader', '/api/star-reviews?year=2025')).json() as typeof list
    expect(mine.villages.map((v) => v.villageId)).toEqual(list.villages.map((v) => v.villageId).filter((id) => id !== 17))
  })

  it('refuses other roles, villages outside the caller\'s town, unknown villages and years not yet begun', async () => {
    for (const who of ['cadre-1', 'dispatcher', 'display', 'gw-1', 'dept-1']) {
      expect((await put(who, 1, 2025, REVIEW)).statusCode, who).toBe(403)
      expect((await t.as(who, '/api/star-reviews')).statusCode, who).toBe(403)
    }
    expect((await t.app.inject({ method: 'PUT', url: '/api/star-reviews/1/2025', payload: REVIEW })).statusCode).toBe(401)
    expect((await put('town-leader', 17, 2025, REVIEW)).statusCode).toBe(403)
    expect((await put('town-leader', 16, 2025, REVIEW)).statusCode).toBe(200)
    expect((await put('leader', 17, 2025, REVIEW)).statusCode).toBe(200)
    const unknown = await put('leader', 999, 2025, REVIEW)
    expect(unknown.statusCode).toBe(404)
    const future = await put('leader', 1, thisYear + 1, REVIEW)
    expect(future.statusCode).toBe(400)
    expect(future.json()).toMatchObject({ code: 'year_not_begun' })
    expect(future.json().message).toContain('params/year')
  })

  it('names the field of a bad review and keeps the stored one', async () => {
    const before = (await t.as('leader', '/api/star-reviews?year=2025')).json().villages[2]
    const bad: [unknown, string][] = [
      [{ ...REVIEW, annualReview: '良好' }, 'body/annualReview'],
      [{ ...REVIEW, honours: [{ level: 'city', name: '市级荣誉' }] }, 'body/honours/0/level'],
      [{ ...REVIEW, honours: [{ level: 'national', name: '   ' }] }, 'body/honours/0/name'],
      [{ ...REVIEW, honours: [{ level: 'national', name: '' }] }, 'body/honours/0/name'],
      [{ ...REVIEW, tenureYears: -1 }, 'body/tenureYears'],
      [{ ...REVIEW, tenureYears: 1.5 }, 'body/tenureYears'],
      [{ annualReview: '优秀', honours: [] }, 'tenureYears'],
      [{ ...REVIEW, honours: Array.from({ length: 11 }, () => REVIEW.honours[0]) }, 'body/honours'],
    ]
    for (const [body, field] of bad) {
      const res = await put('leader', 3, 2025, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json().message, JSON.stringify(body)).toContain(field)
    }
    expect((await put('leader', 3, 1999, REVIEW)).statusCode).toBe(400)
    expect((await t.as('leader', '/api/star-reviews?year=abc')).statusCode).toBe(400)
    expect((await t.as('leader', '/api/star-reviews?year=2025')).json().villages[2]).toEqual(before)
  })
})

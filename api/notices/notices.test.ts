import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// 三务公开: a village cadre drafts, a leader approves, the wall lists it; party activity records
// feed 党建先锋.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

const req = (who: string, method: 'POST' | 'PATCH' | 'PUT', url: string, payload: unknown) => t.as(who, { method, url, payload: payload as Record<string, unknown> })
const wallNotices = async (village: number) =>
  (await t.as('display', `/api/stats?scope=village:${village}`)).json().affairs.notices as { title: string; category: string }[]

describe('notices', () => {
  it('go from a cadre\'s draft through a leader\'s approval onto the wall', async () => {
    const draft = await req('cadre-5', 'POST', '/api/notices/drafts', { category: '财务公开', title: '11月份村级财务收支公开', body: '收入 12 万元，支出 9 万元。' })
    expect(draft.statusCode, draft.body).toBe(201)
    const d = draft.json()
    expect(d).toMatchObject({ villageId: 5, state: 'draft', author: 'cadre-5' })
    expect((await req('leader', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: true })).statusCode).toBe(409)
    expect((await req('cadre-5', 'PATCH', `/api/notices/drafts/${d.id}`, { submit: true })).json().state).toBe('submitted')
    expect((await wallNotices(5)).some((n) => n.title === '11月份村级财务收支公开')).toBe(false)
    // the cadre may not approve her own notice; a leader may
    expect((await req('cadre-5', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: true })).statusCode).toBe(403)
    const published = await req('leader', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: true })
    expect(published.json()).toMatchObject({ state: 'published', decidedBy: 'leader' })
    expect(published.json().noticeId).toBeGreaterThan(0)
    const shown = await wallNotices(5)
    expect(shown[0]).toMatchObject({ title: '11月份村级财务收支公开', category: '财务公开' })
    expect((await req('cadre-5', 'PATCH', `/api/notices/drafts/${d.id}`, { title: '改一改标题内容' })).statusCode).toBe(409)
  })

  it('are sent back with a reason, corrected and submitted again', async () => {
    const d = (await req('cadre-6', 'POST', '/api/notices/drafts', { category: '村务公开', title: '低保名单公示草稿' })).json()
    await req('cadre-6', 'PATCH', `/api/notices/drafts/${d.id}`, { submit: true })
    expect((await req('leader', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: false })).json().message).toMatch(/body\/reason/)
    const back = await req('leader', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: false, reason: '名单需隐去身份证号' })
    expect(back.json()).toMatchObject({ state: 'rejected', reason: '名单需隐去身份证号' })
    const again = await req('cadre-6', 'PATCH', `/api/notices/drafts/${d.id}`, { body: '名单见附件（已隐去身份证号）', submit: true })
    expect(again.json()).toMatchObject({ state: 'submitted', reason: null })
  })

  it('show their photos to the leader deciding on them, to everyone once published, and to no one else before', async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 40, b: 90 } } }).jpeg().toBuffer()
    const up = await t.as('cadre-5', { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/jpeg' }, payload: jpeg })
    const photo = up.json().id as number
    const d = (await req('cadre-5', 'POST', '/api/notices/drafts', { category: '村务公开', title: '道路硬化工程公示', photoIds: [photo] })).json()
    await req('cadre-5', 'PATCH', `/api/notices/drafts/${d.id}`, { submit: true })
    const status = async (who: string) => (await t.as(who, `/api/photos/${photo}/thumb`)).statusCode
    expect(await status('leader')).toBe(200)
    expect(await status('cadre-6')).toBe(403)
    expect(await status('display')).toBe(403)
    expect(await status('dispatcher')).toBe(403)
    await req('leader', 'POST', `/api/notices/drafts/${d.id}/decision`, { approve: true })
    expect(await status('display')).toBe(200)
    expect(await status('cadre-6')).toBe(200)
  })

  it('keep each cadre to her village and the wall and dispatcher out of drafts', async () => {
    expect((await req('cadre-5', 'POST', '/api/notices/drafts', { villageId: 6, category: '党务公开', title: '别村的通知' })).statusCode).toBe(403)
    const mine = (await t.as('cadre-6', '/api/notices/drafts')).json() as { villageId: number }[]
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((x) => x.villageId === 6)).toBe(true)
    for (const who of ['display', 'dispatcher', 'gw-1', 'dept-1']) {
      expect((await t.as(who, '/api/notices/drafts')).statusCode, who).toBe(403)
      expect((await req(who, 'POST', '/api/notices/drafts', { category: '党务公开', title: '不该能发的通知' })).statusCode, who).toBe(403)
    }
    expect((await req('cadre-5', 'POST', '/api/notices/drafts', { category: '其他公开', title: '分类不对的通知' })).statusCode).toBe(400)
  })
})

describe('party activities', () => {
  it('record a village\'s attendance for a month, which the 党建先锋 figures follow', async () => {
    const month = '2026-10'
    const before = (await t.as('leader', '/api/stats?scope=village:7')).json().party
    const res = await req('cadre-7', 'PUT', `/api/party-activities/7/${month}/activityDay`, { expected: 40, attended: 40 })
    expect(res.statusCode, res.body).toBe(200)
    const after = (await t.as('leader', '/api/stats?scope=village:7')).json().party
    expect(JSON.stringify(after)).not.toBe(JSON.stringify(before))
    expect((await req('cadre-7', 'PUT', `/api/party-activities/7/${month}/activityDay`, { expected: 10, attended: 11 })).json().message).toMatch(/attended/)
    expect((await req('cadre-7', 'PUT', `/api/party-activities/8/${month}/activityDay`, { expected: 10, attended: 9 })).statusCode).toBe(403)
    expect((await req('cadre-7', 'PUT', '/api/party-activities/7/2026-13/activityDay', { expected: 10, attended: 9 })).statusCode).toBe(400)
  })
})

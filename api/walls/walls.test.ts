import { io as connect } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { trendPerHour } from './repository.ts'

// Walls left alone: tours an admin defines, the build a wall compares with its own, and each
// wall's health reported every minute and listed for the admin.
let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

const tour = { name: '夜班轮播', steps: [{ scope: 'town', dwellSeconds: 30 }, { scope: 'village:3', dwellSeconds: 20 }, { scope: 'vehicle:2', dwellSeconds: 15 }], schedule: { nightStart: '22:00', nightEnd: '06:00', dim: 0.5 } }
const report = (over: Record<string, unknown> = {}) => ({ displayId: 'wall-hall-01', scope: 'town', tour: '夜班轮播', version: 'dev', width: 3840, height: 2160, fps: 58.5, heapMb: 41.2, domNodes: 2100, ...over })

describe('tours', () => {
  it('are saved whole by an admin and read by walls', async () => {
    const saved = await t.as('admin', { method: 'PUT', url: '/api/tours', payload: { tours: [tour, { name: '村级巡检', steps: [{ scope: 'grid:5', dwellSeconds: 10 }], schedule: null }] } })
    expect(saved.statusCode, saved.body).toBe(200)
    const list = (await t.as('display', '/api/tours')).json()
    expect(list.map((x: { name: string }) => x.name)).toEqual(['夜班轮播', '村级巡检'])
    expect(list[0]).toMatchObject({ steps: tour.steps, schedule: tour.schedule, updatedBy: 'admin' })
    // saving again keeps a tour's id (a wall running it goes on) and removes the ones left out
    const again = (await t.as('admin', { method: 'PUT', url: '/api/tours', payload: { tours: [{ ...tour, steps: tour.steps.slice(0, 2) }] } })).json()
    expect(again).toHaveLength(1)
    expect(again[0].id).toBe(list[0].id)
  })

  it('are validated field by field and edited by admins only', async () => {
    const put = (who: string, tours: unknown) => t.as(who, { method: 'PUT', url: '/api/tours', payload: { tours } })
    expect((await put('leader', [tour])).statusCode).toBe(403)
    expect((await put('display', [tour])).statusCode).toBe(403)
    expect((await put('admin', [{ ...tour, steps: [{ scope: 'moon:1', dwellSeconds: 10 }] }])).json().message).toMatch(/scope/)
    expect((await put('admin', [{ ...tour, steps: [{ scope: 'county:1', dwellSeconds: 10 }] }])).statusCode).toBe(400)
    expect((await put('admin', [{ ...tour, steps: [{ scope: 'town', dwellSeconds: 1 }] }])).json().message).toMatch(/dwellSeconds/)
    expect((await put('admin', [{ ...tour, schedule: { nightStart: '25:00', nightEnd: '06:00', dim: 0.5 } }])).json().message).toMatch(/nightStart/)
    expect((await put('admin', [tour, tour])).json().message).toMatch(/used twice/)
  })
})

describe('the build and the walls', () => {
  it('tells walls the build over /api/health and the socket', async () => {
    expect((await t.app.inject('/api/health')).json().version).toBe('dev')
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
    const socket = connect(url, { auth: { token: await t.token('display') }, transports: ['websocket'], reconnection: false })
    const hello = await new Promise<{ version: string }>((r) => socket.on('hello', r))
    socket.close()
    expect(hello.version).toBe('dev')
  })

  it("keeps each wall's newest report and an hour of heap readings, listed for the admin", async () => {
    for (let i = 0; i < 65; i++) {
      const res = await t.as('display', { method: 'POST', url: '/api/displays/report', payload: report({ heapMb: 40 + i * 0.5, version: i < 64 ? 'old-build' : 'dev' }) })
      expect(res.statusCode, res.body).toBe(200)
    }
    await t.as('display', { method: 'POST', url: '/api/displays/report', payload: report({ displayId: 'wall-hall-02', version: 'old-build', heapMb: null, reloaded: true }) })
    const walls = (await t.as('admin', '/api/displays')).json() as { displayId: string; online: boolean; stale: boolean; heapSeries: number[]; heapTrendMbPerHour: number; reloads: number }[]
    const one = walls.find((w) => w.displayId === 'wall-hall-01')!
    expect(one).toMatchObject({ online: true, stale: false, width: 3840, tour: '夜班轮播' })
    expect(one.heapSeries).toHaveLength(60)
    expect(one.heapSeries[59]).toBeCloseTo(72, 1)
    expect(one.heapTrendMbPerHour).toBeCloseTo(30, 0)
    expect(walls.find((w) => w.displayId === 'wall-hall-02')).toMatchObject({ stale: true, reloads: 1 })
    expect((await t.as('leader', '/api/displays')).statusCode).toBe(403)
    expect((await t.as('display', { method: 'POST', url: '/api/displays/report', payload: report({ displayId: 'x' }) })).statusCode).toBe(400)
  })

  it('does not let one account make up walls without end', async () => {
    let last = 0
    for (let i = 0; i < 60 && last !== 429; i++) {
      last = (await t.as('leader', { method: 'POST', url: '/api/displays/report', payload: report({ displayId: `made-up-${String(i).padStart(4, '0')}` }) })).statusCode
    }
    expect(last).toBe(429)
  })

  it('reads a heap trend per hour from minute readings', () => {
    expect(trendPerHour([1, 2, 3])).toBeNull()
    expect(trendPerHour(Array.from({ length: 30 }, () => 50))).toBe(0)
    expect(trendPerHour(Array.from({ length: 30 }, (_, i) => 50 + i / 60))).toBeCloseTo(1, 1)
  })
})

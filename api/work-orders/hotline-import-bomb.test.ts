import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { deflatePattern, SHEET_HEAD, SHEET_TAIL, xlsxOf } from '../imports/zip-fixtures.ts'

// Over real HTTP on a listening port, so that a stalled event loop shows as a slow /api/health.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
let t: TestApp
let base: string
let token: string
/** ten million cells (110 MB of sheet XML) deflated as a stream: about 230 kB */
let cells: Awaited<ReturnType<typeof deflatePattern>>
beforeAll(async () => {
  t = await openTestApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
  token = await t.token('dispatcher')
  // the test's own HTTP client spends tens of milliseconds on its first POST: not the API's stall
  await fetch(`${base}/api/work-orders`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' }).then((r) => r.text())
  cells = await deflatePattern(SHEET_HEAD, '<row r="1">' + '<c r="A1"/>'.repeat(1000) + '</row>', 10_000, SHEET_TAIL)
})
afterAll(async () => t?.close())

/**
 * Posts the file while /api/health is polled every 10 ms and the event loop's delay and the
 * process's RSS are watched, until 300 ms after the answer (a parse left running would show).
 */
interface Figures {
  status: number
  message: string
  answeredMs: number
  healthChecks: number
  healthMaxMs: number
  loopMaxMs: number
  rssGrowthMb: number
}

async function postWatched(body: Buffer): Promise<Figures> {
  const health = async () => {
    const started = performance.now()
    const res = await fetch(`${base}/api/health`)
    await res.text()
    return performance.now() - started
  }
  await health()
  const rssBefore = process.memoryUsage().rss
  let rssMax = rssBefore
  const latencies: number[] = []
  let polling = true
  const poller = (async () => {
    while (polling) {
      latencies.push(await health())
      rssMax = Math.max(rssMax, process.memoryUsage().rss)
      await sleep(10)
    }
  })()
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const started = performance.now()
  const res = await fetch(`${base}/api/work-orders/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': XLSX }, body: new Uint8Array(body) })
  const answer = (await res.json()) as { message: string }
  const answeredMs = performance.now() - started
  await sleep(300)
  polling = false
  await poller
  loop.disable()
  const figures = {
    status: res.status,
    message: answer.message,
    answeredMs: Math.round(answeredMs),
    healthChecks: latencies.length,
    healthMaxMs: Math.round(Math.max(...latencies)),
    loopMaxMs: Math.round(loop.max / 1e6),
    rssGrowthMb: Math.round((rssMax - rssBefore) / 2 ** 20),
  }
  console.log(JSON.stringify(figures))
  return figures
}

const within = (f: Figures) => f.healthMaxMs < 100 && f.loopMaxMs < 100 && f.rssGrowthMb < 100

/**
 * Timing on a shared two-core machine: up to three tries, stopping at the first within bounds,
 * so a burst of some other process does not fail the test. A stall of the API's own shows in
 * every try (today's in-process parse of this file stalled each one for seconds).
 */
async function watchedTries(body: Buffer): Promise<Figures> {
  let best: Figures | undefined
  for (let i = 0; i < 3; i++) {
    const f = await postWatched(body)
    if (!best || Math.max(f.healthMaxMs, f.loopMaxMs) < Math.max(best.healthMaxMs, best.loopMaxMs)) best = f
    if (within(f)) return f
  }
  return best!
}

describe('12345 hotline import: a decompression bomb does not stop the API', () => {
  it('refuses an XLSX of ten million cells in ~230 kB from its zip directory (413 naming the limit), while /api/health keeps answering', async () => {
    const bomb = xlsxOf({ deflated: cells })
    expect(bomb.length).toBeLessThan(300_000)
    const f = await watchedTries(bomb)
    expect(f.status).toBe(413)
    expect(f.message).toMatch(/^body entry xl\/worksheets\/sheet1\.xml would inflate [\d,]+ bytes to 110,[\d,]+, more than 100 times \(maxInflateRatio\)/)
    expect(f.healthChecks).toBeGreaterThanOrEqual(3)
    expect(f.healthMaxMs).toBeLessThan(100)
    expect(f.loopMaxMs).toBeLessThan(100)
    expect(f.rssGrowthMb).toBeLessThan(100)
  })

  it('stops the same cells behind a forged small declared size at the inflated-byte limit, in the worker, while /api/health keeps answering', async () => {
    const forged = xlsxOf({ deflated: cells, declaredSize: 100_000 })
    const f = await watchedTries(forged)
    expect(f.status).toBe(413)
    expect(f.message).toMatch(/^body entry xl\/worksheets\/sheet1\.xml inflates to more than the 100,000 bytes its zip directory declares: stopped at [\d,]+ inflated bytes/)
    expect(f.healthMaxMs).toBeLessThan(100)
    expect(f.loopMaxMs).toBeLessThan(100)
    expect(f.rssGrowthMb).toBeLessThan(100)
  })
})

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { crc32, deflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
})
afterAll(async () => t?.close())

const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type), data])
  const head = Buffer.alloc(4)
  head.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([head, body, crc])
}

/** a PNG of a few kB whose header declares width × height one-bit pixels (the rows it holds are blank) */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 1 // bit depth; colour type 0 (grey), no interlace
  const blankRows = deflateSync(Buffer.alloc((1 + Math.ceil(width / 8)) * 1000), { level: 9 })
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', blankRows), chunk('IEND', Buffer.alloc(0))])
}

describe('photos: a pixel bomb', () => {
  it('is refused from its header with a 413 naming the pixel limit, quickly and without stalling the event loop', async () => {
    const bomb = pngDeclaring(30_000, 30_000)
    expect(bomb.length).toBeLessThan(20_000)
    await t.token('dispatcher')
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const started = performance.now()
    const res = await t.as('dispatcher', { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/png' }, payload: bomb })
    const ms = performance.now() - started
    loop.disable()
    console.log(JSON.stringify({ status: res.statusCode, ms: Math.round(ms), loopMaxMs: Math.round(loop.max / 1e6) }))
    expect(res.statusCode).toBe(413)
    expect(res.json().message).toBe('body is an image of more than 50,000,000 pixels; photos may have at most that many')
    expect(ms).toBeLessThan(500)
    expect(loop.max / 1e6).toBeLessThan(100)
    // at the limit it is no bomb: its pixels are decoded, and that its rows stop short is a 400, not a 500
    const under = await t.as('dispatcher', { method: 'POST', url: '/api/photos', headers: { 'content-type': 'image/png' }, payload: pngDeclaring(10_000, 5_000) })
    expect(under.statusCode).toBe(400)
    expect(under.json().message).toBe('body is not a readable image/png image: its pixels cannot be decoded')
  })
})

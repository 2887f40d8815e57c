import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// An open wall refreshes its panels on the dataChanged push (api/realtime/changes.ts): a 医保局
// import and a star review must each be told to screens, or 疫网即办 and 党建先锋 would wait for
// the wall's minute timer.
let t: TestApp
let url: string
beforeAll(async () => {
  t = await openTestApp({ socketRecheckMs: 3_600_000 })
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`
})
afterAll(async () => t?.close())

async function wall(): Promise<{ socket: Socket; until: (table: string) => Promise<void> }> {
  const socket = connect(url, { auth: { token: await t.token('display') }, transports: ['websocket'], reconnection: false })
  await new Promise<void>((resolve, reject) => {
    socket.on('hello', () => resolve())
    socket.on('connect_error', reject)
  })
  const heard: string[][] = []
  socket.on('dataChanged', (m: { tables: string[] }) => heard.push(m.tables))
  // a push naming the table, however long the shared machine takes to deliver it (the test's
  // timeout is the limit); pushes heard so far are forgotten, so each write waits for its own
  const until = (table: string) => new Promise<void>((resolve) => {
    const poll = () => {
      if (heard.some((tables) => tables.includes(table))) {
        heard.length = 0
        resolve()
      } else setTimeout(poll, 50)
    }
    poll()
  })
  return { socket, until }
}

describe('疫网即办 and 党建先锋 writes reach an open wall', () => {
  it('pushes dataChanged for a 医保局 import of 医疗保险 items and for a star review', async () => {
    const w = await wall()
    const [dept] = (await t.db.query<{ id: number }>(`SELECT department_id AS id FROM data_items WHERE key = 'medicalInsurance'`)).rows
    const [p] = (await t.db.query<{ id_number: string }>(`SELECT id_number FROM residents WHERE deregistered IS NULL AND (items -> 'medicalInsurance') IS DISTINCT FROM 'true' ORDER BY id LIMIT 1`)).rows
    const res = await t.as(`dept-${dept.id}`, {
      method: 'POST', url: '/api/imports/department-data',
      headers: { 'content-type': 'text/csv', 'x-file-name': encodeURIComponent('医保参保名单.csv') },
      payload: Buffer.from(`身份证号,数据项,值\r\n${p.id_number},医疗保险,是`),
    })
    expect(res.statusCode, res.body).toBe(200)
    await w.until('residents')

    const review = await t.as('leader', { method: 'PUT', url: '/api/star-reviews/2/2025', payload: { annualReview: '合格', honours: [], tenureYears: 2 } })
    expect(review.statusCode, review.body).toBe(200)
    await w.until('star_reviews')
    w.socket.close()
  })
})

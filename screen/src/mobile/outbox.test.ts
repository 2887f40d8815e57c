import { afterEach, describe, expect, it, vi } from 'vitest'
import { sendItem, type OutboxItem } from './outbox.ts'

// 办 from the outbox: photos first, then the step; a replay answered 409 counts as sent only when
// the order's history holds this very step by this user (the first answer was lost)
const item: OutboxItem = { clientKey: 'm-test-1', kind: 'handle', body: { orderId: 7, note: '已清理' }, photos: [new Blob(['x'], { type: 'image/jpeg' })], createdAt: 1 }
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const history = (actor: string, note = '已清理', photoIds = [41]) => ({ id: 7, history: [{ action: 'create', actor: 'gw-1', note: '', photoIds: [] }, { action: 'handle', actor, note, photoIds }] })

function serve(actionStatus: number, order?: unknown) {
  const calls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}${init?.body && typeof init.body === 'string' ? ` ${init.body}` : ''}`)
    if (url === '/api/photos') return json(201, { id: 41 })
    if (url === '/api/work-orders/7/actions') return json(actionStatus, actionStatus === 200 ? { id: 7 } : { message: 'work order 7 is handled; handle is possible only from dispatched or transferred' })
    if (url === '/api/work-orders/7') return json(200, order)
    throw new Error(`unexpected ${url}`)
  }))
  return calls
}
afterEach(() => vi.unstubAllGlobals())

describe('outbox: handling an order', () => {
  it('uploads the photos, then posts the step with their ids (and no clientKey, which the route does not take)', async () => {
    const calls = serve(200)
    expect(await sendItem(item, 'tok', 'gw-1')).toEqual({ outcome: 'sent' })
    expect(calls).toEqual(['POST /api/photos', 'POST /api/work-orders/7/actions {"action":"handle","note":"已清理","photoIds":[41]}'])
  })
  it('a replay answered 409 is sent when the history holds the same step by the same user', async () => {
    serve(409, history('gw-1'))
    expect(await sendItem(item, 'tok', 'gw-1')).toEqual({ outcome: 'sent' })
  })
  it('a 409 after someone else handled it (or with another note) is a refusal with the server\'s reason', async () => {
    serve(409, history('cadre-1'))
    expect((await sendItem(item, 'tok', 'gw-1')).outcome).toBe('refused')
    serve(409, history('gw-1', '另一次办理'))
    const r = await sendItem(item, 'tok', 'gw-1')
    expect(r).toEqual({ outcome: 'refused', message: 'work order 7 is handled; handle is possible only from dispatched or transferred' })
  })
  it('no network: stays in the outbox', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    expect(await sendItem(item, 'tok', 'gw-1')).toEqual({ outcome: 'offline' })
  })
})

// 矛盾纠纷 from the phone: POST /api/disputes with the item's clientKey (a replay is the same
// dispute) and no photoIds, which the route's schema refuses
describe('outbox: recording a dispute', () => {
  it('posts it to /api/disputes with its clientKey and nothing the route does not take', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url} ${String(init?.body ?? '')}`)
      return json(201, { id: 601 })
    }))
    const dispute: OutboxItem = {
      clientKey: 'm-dispute-1', kind: 'dispute', photos: [], createdAt: 1,
      body: { gridId: 8, type: '邻里纠纷', summary: '两户因排水沟走向发生争执', parties: [{ name: '张小三', phone: '13812345678' }] },
    }
    expect(await sendItem(dispute, 'tok', 'gw-8')).toEqual({ outcome: 'sent' })
    expect(calls).toEqual([`POST /api/disputes ${JSON.stringify({ ...dispute.body, clientKey: 'm-dispute-1' })}`])
  })
})

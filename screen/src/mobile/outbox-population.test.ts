import { afterEach, describe, expect, it, vi } from 'vitest'
import { sendItem, type OutboxItem } from './outbox.ts'

// 人口双实 from the outbox: both writes carry the item's clientKey (the server answers a replay
// with the first answer); a refusal is still read as a fallback, told apart from a real
// conflict by what it names
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const newborn: OutboxItem = {
  clientKey: 'm-res-1', kind: 'resident', photos: [], createdAt: 1,
  body: { householdId: 1016, name: '韩小宇', idNumber: '37132620261106101X', gender: '男', birthDate: '2026-11-06', relation: '孙子女', event: 'birth' },
}
const moveOut: OutboxItem = { clientKey: 'm-ev-1', kind: 'lifeEvent', photos: [], createdAt: 1, body: { residentId: 3751, fromHouseholdId: 1012, type: 'moveOut', date: '2026-12-01', note: '迁往外地' } }

function serve(routes: Record<string, [number, unknown]>) {
  const calls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method ?? 'GET'} ${url}${typeof init?.body === 'string' ? ` ${init.body}` : ''}`)
    const r = routes[`${init?.method ?? 'GET'} ${url}`]
    if (!r) throw new Error(`unexpected ${url}`)
    return json(r[0], r[1])
  }))
  return calls
}
afterEach(() => vi.unstubAllGlobals())

describe('outbox: registering a resident', () => {
  it('posts the resident as the route takes it, with its clientKey (no photos)', async () => {
    const calls = serve({ 'POST /api/residents': [201, { id: 38001 }] })
    expect(await sendItem(newborn, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    expect(calls).toEqual([`POST /api/residents ${JSON.stringify({ ...newborn.body, clientKey: newborn.clientKey })}`])
  })
  const taken = (householdId?: number) => ({
    statusCode: 409, error: 'Conflict', code: 'id_number_taken', ...(householdId ? { householdId } : {}),
    message: householdId ? `body/idNumber belongs to a resident of household ${householdId} (店子镇韩坡村八组**号)` : 'body/idNumber is already registered',
  })
  it('a replay answered "ID number taken" by the household she registered into is already done', async () => {
    serve({ 'POST /api/residents': [409, taken(1016)] })
    expect(await sendItem(newborn, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
  })
  it('"taken" by another household, or outside her scope (no household), is refused with the reason', async () => {
    serve({ 'POST /api/residents': [409, taken(10160)] })
    expect(await sendItem(newborn, 'tok', 'gw-21')).toEqual({ outcome: 'refused', message: taken(10160).message })
    serve({ 'POST /api/residents': [409, taken()] })
    expect(await sendItem(newborn, 'tok', 'gw-21')).toEqual({ outcome: 'refused', message: 'body/idNumber is already registered' })
  })
  it('decides by the code and the field, not by the words of the message', async () => {
    // the words name her household, but nothing says the ID number is taken by it
    serve({ 'POST /api/residents': [409, { code: 'conflict', message: 'body/idNumber belongs to a resident of household 1016 (店子镇韩坡村八组**号)' }] })
    expect((await sendItem(newborn, 'tok', 'gw-21')).outcome).toBe('refused')
    // reworded, the same refusal is still recognised
    serve({ 'POST /api/residents': [409, { code: 'id_number_taken', householdId: 1016, message: '身份证号已登记在本户' }] })
    expect(await sendItem(newborn, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    // too many identity refusals this hour: kept for a later try, not refused
    serve({ 'POST /api/residents': [429, { code: 'identity_probe_limit', message: 'wait' }] })
    expect((await sendItem(newborn, 'tok', 'gw-21')).outcome).toBe('offline')
  })
  it('a 400 is refused; a 503 waits for another try', async () => {
    serve({ 'POST /api/residents': [400, { message: 'body/idNumber has a wrong check digit (should end in 1)' }] })
    expect((await sendItem(newborn, 'tok', 'gw-21')).outcome).toBe('refused')
    serve({ 'POST /api/residents': [503, { message: 'busy' }] })
    expect((await sendItem(newborn, 'tok', 'gw-21')).outcome).toBe('offline')
  })
})

describe('outbox: a life event', () => {
  it('posts the event without the household it came from', async () => {
    const calls = serve({ 'POST /api/residents/3751/events': [200, { id: 3751 }] })
    expect(await sendItem(moveOut, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    expect(calls).toEqual(['POST /api/residents/3751/events {"type":"moveOut","date":"2026-12-01","note":"迁往外地","clientKey":"m-ev-1"}'])
  })
  it('"already deregistered" as the same type is the first try gone through; as another type, a refusal', async () => {
    serve({ 'POST /api/residents/3751/events': [409, { message: 'resident 3751 is already deregistered (moveOut)' }] })
    expect(await sendItem(moveOut, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    serve({ 'POST /api/residents/3751/events': [409, { message: 'resident 3751 is already deregistered (death)' }] })
    expect(await sendItem(moveOut, 'tok', 'gw-21')).toEqual({ outcome: 'refused', message: 'resident 3751 is already deregistered (death)' })
  })
  it('a move of household refused as "already there" counts as sent when the record says so', async () => {
    const move: OutboxItem = { ...moveOut, body: { residentId: 3751, fromHouseholdId: 1012, type: 'moveHousehold', date: '2026-12-01', householdId: 1016 } }
    const refusal: [number, unknown] = [400, { message: 'body/householdId is the household the resident is in' }]
    serve({ 'POST /api/residents/3751/events': refusal, 'GET /api/residents/3751': [200, { householdId: 1016, status: 'active' }] })
    expect(await sendItem(move, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    serve({ 'POST /api/residents/3751/events': refusal, 'GET /api/residents/3751': [200, { householdId: 1012, status: 'active' }] })
    expect((await sendItem(move, 'tok', 'gw-21')).outcome).toBe('refused')
  })
})

describe('outbox: placing a household (待落图)', () => {
  const place: OutboxItem = { clientKey: 'm-place-1', kind: 'place', photos: [], createdAt: 1, body: { householdId: 10400, lon: 117.4012345, lat: 35.1012345 } }
  it('puts the point with its clientKey; a replay is answered as the first try, so it is sent', async () => {
    const calls = serve({ 'PUT /api/households/10400/location': [200, { id: 10400, gridId: 21, villageId: 2, location: [117.4012345, 35.1012345], changed: false }] })
    expect(await sendItem(place, 'tok', 'gw-21')).toEqual({ outcome: 'sent' })
    expect(calls).toEqual([`PUT /api/households/10400/location ${JSON.stringify({ lon: 117.4012345, lat: 35.1012345, clientKey: 'm-place-1' })}`])
  })
  it('a point outside her grid is refused with the reason; a busy server is tried again later', async () => {
    serve({ 'PUT /api/households/10400/location': [403, { code: 'forbidden', message: 'body/lon,lat (117.401235, 35.101235) lies in grid 第2网格, outside your scope' }] })
    expect(await sendItem(place, 'tok', 'gw-21')).toEqual({ outcome: 'refused', message: 'body/lon,lat (117.401235, 35.101235) lies in grid 第2网格, outside your scope' })
    serve({ 'PUT /api/households/10400/location': [503, { message: 'busy' }] })
    expect((await sendItem(place, 'tok', 'gw-21')).outcome).toBe('offline')
  })
})

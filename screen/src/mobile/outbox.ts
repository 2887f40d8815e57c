// The phone's outbox: every report, visit (a ledger follow-up is a visit naming its people),
// handling (办), registration, life event (人口双实) and placing of a household (落图) is written here first (IndexedDB, photos
// as blobs), then sent; it leaves the outbox only when the server has it. A report or visit sent
// twice (the answer was lost on a bad network) is one: each carries its own clientKey, and the
// same photo bytes are the same photo; so do registrations and life events. A step of the loop
// has no clientKey: replayed after it went through, the server refuses it (409), and what it
// names (the order's history) tells whether it was this phone's write; registrations and life
// events read refusals the same way as a fallback (the household holding the ID number, the
// person's status).
import { classify, messageOf, type SendOutcome } from './outbox-http.ts'
import { sendLifeEvent, sendPlace, sendResident, type LifeEventBody, type NewResidentBody, type PlaceBody } from './outbox-population.ts'

export type { SendOutcome }

export interface OutboxItem {
  clientKey: string
  kind: 'report' | 'visit' | 'handle' | 'resident' | 'lifeEvent' | 'place' | 'dispute'
  /**
   * a report's or visit's fields (a visit: { householdId, note, residentIds? }); for 'handle':
   * { orderId, note }; for 'resident': NewResidentBody; for 'lifeEvent': LifeEventBody; for 'place': PlaceBody;
   * for 'dispute': { gridId, type, summary, parties? } (POST /api/disputes, which takes no photos)
   */
  body: Record<string, unknown>
  photos: Blob[]
  createdAt: number
  /** the server refused it for good (4xx): kept so nothing is lost silently; the user may delete it */
  error?: string
}

const DB = 'shuzhi-outbox'
const STORE = 'items'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'clientKey' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode)
      const req = fn(tx.objectStore(STORE))
      tx.oncomplete = () => resolve(req.result)
      tx.onerror = () => reject(tx.error)
    })
  } finally {
    db.close()
  }
}

export const putItem = (item: OutboxItem) => run('readwrite', (s) => s.put(item)).then(() => undefined)
export const deleteItem = (clientKey: string) => run('readwrite', (s) => s.delete(clientKey)).then(() => undefined)
export const listItems = () => run<OutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>).then((items) => items.sort((a, b) => a.createdAt - b.createdAt))

export const newClientKey = () => `m-${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(2)).join('')}`

/** Sends one item: its photos, then the report, visit, step, registration or life event. */
export async function sendItem(item: OutboxItem, token: string, username: string): Promise<{ outcome: SendOutcome; message?: string }> {
  const auth = { Authorization: `Bearer ${token}` }
  try {
    const photoIds: number[] = []
    for (const photo of item.photos) {
      const res = await fetch('/api/photos', { method: 'POST', headers: { ...auth, 'Content-Type': photo.type || 'image/jpeg' }, body: photo })
      const verdict = classify(res)
      if (verdict !== 'sent') return { outcome: verdict, message: await messageOf(res) }
      photoIds.push(((await res.json()) as { id: number }).id)
    }
    if (item.kind === 'handle') return await sendHandle(item, photoIds, auth, username)
    if (item.kind === 'resident') return await sendResident(item.body as unknown as NewResidentBody, auth, item.clientKey)
    if (item.kind === 'lifeEvent') return await sendLifeEvent(item.body as unknown as LifeEventBody, auth, item.clientKey)
    if (item.kind === 'place') return await sendPlace(item.body as unknown as PlaceBody, auth, item.clientKey)
    const url = item.kind === 'report' ? '/api/work-orders' : item.kind === 'dispute' ? '/api/disputes' : '/api/household-visits'
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...item.body, clientKey: item.clientKey, ...(item.kind === 'dispute' ? {} : { photoIds }) }),
    })
    const verdict = classify(res)
    return verdict === 'sent' ? { outcome: 'sent' } : { outcome: verdict, message: await messageOf(res) }
  } catch {
    return { outcome: 'offline' }
  }
}

/** 办: POST the step; a 409 is "sent" when the order's history holds this very step by this user. */
async function sendHandle(item: OutboxItem, photoIds: number[], auth: Record<string, string>, username: string): Promise<{ outcome: SendOutcome; message?: string }> {
  const { orderId, note } = item.body as { orderId: number; note: string }
  const res = await fetch(`/api/work-orders/${orderId}/actions`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ action: 'handle', note, photoIds }),
  })
  const verdict = classify(res)
  if (verdict === 'sent') return { outcome: 'sent' }
  const message = await messageOf(res)
  if (res.status !== 409) return { outcome: verdict, message }
  // the first try went through but its answer was lost; anything else (someone else handled it,
  // it was sent elsewhere) is a refusal the worker should see
  const check = await fetch(`/api/work-orders/${orderId}`, { headers: auth })
  if (!check.ok) return { outcome: classify(check), message }
  const order = (await check.json()) as { history?: { action: string; actor: string; note: string; photoIds: number[] }[] }
  const mine = order.history?.some((h) => h.action === 'handle' && h.actor === username && h.note === note && sameIds(h.photoIds, photoIds))
  return mine ? { outcome: 'sent' } : { outcome: 'refused', message }
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** Phone photos are large; a 1920 px JPEG without EXIF is plenty and sends on a weak network. */
export { shrinkPhoto } from '../shared/lib/photo.ts'

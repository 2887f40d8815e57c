// The phone's outbox: every report and visit is written here first (IndexedDB, photos as
// blobs), then sent; it leaves the outbox only when the server has it. A report sent twice
// (the answer was lost on a bad network) is one order: each carries its own clientKey, and the
// same photo bytes are the same photo.

export interface OutboxItem {
  clientKey: string
  kind: 'report' | 'visit'
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

export type SendOutcome = 'sent' | 'offline' | 'refused' | 'signedOut'

/** Sends one item: its photos, then the report or visit naming them. */
export async function sendItem(item: OutboxItem, token: string): Promise<{ outcome: SendOutcome; message?: string }> {
  const auth = { Authorization: `Bearer ${token}` }
  try {
    const photoIds: number[] = []
    for (const photo of item.photos) {
      const res = await fetch('/api/photos', { method: 'POST', headers: { ...auth, 'Content-Type': photo.type || 'image/jpeg' }, body: photo })
      const verdict = classify(res)
      if (verdict !== 'sent') return { outcome: verdict, message: await messageOf(res) }
      photoIds.push(((await res.json()) as { id: number }).id)
    }
    const url = item.kind === 'report' ? '/api/work-orders' : '/api/household-visits'
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...item.body, clientKey: item.clientKey, photoIds }),
    })
    const verdict = classify(res)
    return verdict === 'sent' ? { outcome: 'sent' } : { outcome: verdict, message: await messageOf(res) }
  } catch {
    return { outcome: 'offline' }
  }
}

function classify(res: Response): SendOutcome {
  if (res.ok) return 'sent'
  if (res.status === 401) return 'signedOut'
  // the server or the network between is in trouble: keep it and try again later
  if (res.status >= 500 || res.status === 408 || res.status === 429) return 'offline'
  return 'refused'
}

async function messageOf(res: Response): Promise<string> {
  try {
    return ((await res.json()) as { message?: string }).message ?? `HTTP ${res.status}`
  } catch {
    return `HTTP ${res.status}`
  }
}

/** Phone photos are large; a 1920 px JPEG is plenty for a report and sends on a weak network. */
export async function shrinkPhoto(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file)
    const scale = Math.min(1, 1920 / Math.max(bitmap.width, bitmap.height))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(bitmap.width * scale)
    canvas.height = Math.round(bitmap.height * scale)
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
    bitmap.close()
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.85))
  } catch {
    return file // the server decodes and checks it anyway
  }
}

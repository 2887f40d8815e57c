// 人口双实 from the outbox. Each write carries the item's clientKey, so a replay after a lost
// answer gets the first answer back; the refusals are still read as a fallback for items queued
// before the server took keys (the state a refusal names is the one this item asked for).
import { classify, messageOf, postJsonWith, refusalOf, type SendResult } from './outbox-http.ts'

/** POST /api/residents: a newborn or someone moving in (the body as the route takes it) */
export interface NewResidentBody {
  householdId: number
  name: string
  /** none for a newborn before her 户口 (待登记户口): completed later, not through the outbox */
  idNumber?: string
  gender: '男' | '女'
  birthDate: string
  relation: string
  phone?: string
  event: 'birth' | 'moveIn'
  eventDate?: string
}

/** POST /api/residents/:id/events, plus the household the person was in (to refresh it once sent) */
export interface LifeEventBody {
  residentId: number
  fromHouseholdId: number
  type: 'death' | 'moveOut' | 'moveIn' | 'moveHousehold'
  date: string
  householdId?: number
  note?: string
}

/**
 * 登记: "ID number taken" (code id_number_taken) with the household she registered into
 * (its `householdId` field, given only for a household in her scope) means the first try went
 * through (its answer was lost): the number now belongs to a resident there. Any other
 * household, or none, is a real conflict she must see.
 */
export async function sendResident(body: NewResidentBody, auth: Record<string, string>, clientKey?: string): Promise<SendResult> {
  const res = await postJsonWith('/api/residents', auth, clientKey ? { ...body, clientKey } : body)
  if (res.ok) return { outcome: 'sent' }
  const refusal = await refusalOf(res)
  if (res.status === 409 && refusal.code === 'id_number_taken' && refusal.fields.householdId === body.householdId) return { outcome: 'sent' }
  return { outcome: classify(res), message: refusal.message }
}

/**
 * 变动: death and moving away answered "is already deregistered (<the same type>)" were done by
 * the first try. Moving household or back in, refused because the person is already where this
 * item takes them, is checked against the record itself.
 */
export async function sendLifeEvent(body: LifeEventBody, auth: Record<string, string>, clientKey?: string): Promise<SendResult> {
  const { residentId, type, date, householdId, note } = body
  const res = await postJsonWith(`/api/residents/${residentId}/events`, auth, {
    type, date, ...(householdId !== undefined ? { householdId } : {}), ...(note ? { note } : {}), ...(clientKey ? { clientKey } : {}),
  })
  if (res.ok) return { outcome: 'sent' }
  const message = await messageOf(res)
  if ((type === 'death' || type === 'moveOut') && res.status === 409 && message.endsWith(`is already deregistered (${type})`)) return { outcome: 'sent' }
  const already = (type === 'moveHousehold' && res.status === 400 && message.includes('is the household the resident is in'))
    || (type === 'moveIn' && res.status === 409 && message.includes('is registered here already'))
  if (already) {
    const check = await fetch(`/api/residents/${residentId}`, { headers: auth })
    if (!check.ok) return { outcome: classify(check), message }
    const now = (await check.json()) as { householdId: number; status: string }
    if (now.status === 'active' && (householdId === undefined || now.householdId === householdId)) return { outcome: 'sent' }
  }
  return { outcome: classify(res), message }
}

/** PUT /api/households/:id/location: a household placed at its door (待落图, 一标三实) */
export interface PlaceBody {
  householdId: number
  lon: number
  lat: number
}

/**
 * 落图: the clientKey makes a replay harmless (the server answers it with the household where the
 * first try put it), and the same point twice changes nothing anyway; a refusal (outside her
 * grid, outside every grid) is hers to see.
 */
export async function sendPlace(body: PlaceBody, auth: Record<string, string>, clientKey?: string): Promise<SendResult> {
  const res = await fetch(`/api/households/${body.householdId}/location`, {
    method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ lon: body.lon, lat: body.lat, ...(clientKey ? { clientKey } : {}) }),
  })
  if (res.ok) return { outcome: 'sent' }
  return { outcome: classify(res), message: await messageOf(res) }
}

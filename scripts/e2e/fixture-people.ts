// The demo's people as the running system holds them. A first start moves the fixtures' days so
// they end yesterday (api/db/fixture-times.ts), birth dates with them, and rewrites each ID
// number's birth date and check digit: a scenario that reads people from fixtures/ must speak
// their moved numbers, or every row it sends is "not a resident".
import { readFileSync } from 'node:fs'
import { dayFor, generatedDay, shiftBetween } from '../../api/db/fixture-times.ts'
import { beijingToday } from '../../api/population/dates.ts'
import { makeIdNumber } from '../../geo/id-number.ts'

const ROOT = new URL('../../', import.meta.url).pathname

/** days the fixtures moved by at the system's first start (a seed restored later moves on to the same total) */
export function demoShiftDays(): number {
  const { referenceMonth } = JSON.parse(readFileSync(`${ROOT}fixtures/manifest.json`, 'utf8')) as { referenceMonth: string }
  return shiftBetween(generatedDay(referenceMonth), dayFor(beijingToday())).days
}

/** a fixture resident's ID number after the move (one whose number does not hold its birth date is left as it is) */
export function liveIdNumber(r: { id_number: string; birth_date: string }, days = demoShiftDays()): string {
  if (!/^[0-9]{17}[0-9X]$/.test(r.id_number) || r.id_number.slice(6, 14) !== r.birth_date.replaceAll('-', '')) return r.id_number
  const born = new Date(Date.parse(`${r.birth_date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
  return makeIdNumber(r.id_number.slice(0, 6), born, Number(r.id_number.slice(14, 17)))
}

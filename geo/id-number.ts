// 18-digit resident ID numbers (GB 11643): fictional, but with a real check digit so
// that validation code is exercised the way real data would exercise it.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export function checkDigit(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** A number that could exist: form, check digit, region and birth date (see idNumberProblem). */
export function isValidIdNumber(id: string): boolean {
  return idNumberProblem(id) === null
}

/** region (6) + birth date YYYYMMDD + sequence (3, odd for men) + check digit */
export function makeIdNumber(region: string, birthDate: string, sequence: number): string {
  const body = region + birthDate.replaceAll('-', '') + String(sequence).padStart(3, '0')
  return body + checkDigit(body)
}

/**
 * The province-level codes of GB/T 2260 (the first two digits of a place of registration):
 * 北京 11 … 内蒙古 15, 辽吉黑 21–23, 上海 31 … 山东 37, 河南 41 … 海南 46, 重庆 50 … 西藏 54,
 * 陕西 61 … 新疆 65, 台湾 71. Not a full GB/T 2260 table: the county part is not checked (a
 * city without districts such as 东莞 441900 is a real place of registration).
 */
const PROVINCES = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71])
/** 港澳台居民居住证 (residence permits of Hong Kong, Macao and Taiwan residents): the whole code */
const PERMITS = new Set(['810000', '820000', '830000'])

/** Whether a place of registration can exist: a province with a city (not 00), or a residence permit's code. */
export function isPossibleRegion(region: string): boolean {
  if (PERMITS.has(region)) return true
  return /^\d{6}$/.test(region) && PROVINCES.has(Number(region.slice(0, 2))) && region.slice(2, 4) !== '00'
}

/**
 * Why an ID number cannot be this person's: a kind programs act on (screens translate by it),
 * the values the words need, and English words for the API's messages.
 */
export type IdNumberProblem =
  | { kind: 'form'; text: string }
  | { kind: 'checkDigit'; expected: string; text: string }
  | { kind: 'region'; region: string; text: string }
  | { kind: 'birthDate'; born: string; text: string }
  | { kind: 'birthDateMismatch'; born: string; given: string; text: string }
  | { kind: 'genderMismatch'; says: '男' | '女'; given: '男' | '女'; text: string }

export type IdNumberProblemKind = IdNumberProblem['kind']

/**
 * Why an ID number cannot be this person's, or null: its form, its check digit (GB 11643), its
 * place of registration (isPossibleRegion), its birth date (a real one, and the one given), its
 * sex digit (odd for men) against the gender given.
 */
export function idNumberProblem(id: string, birthDate?: string, gender?: '男' | '女'): IdNumberProblem | null {
  if (!/^\d{17}[\dX]$/.test(id)) return { kind: 'form', text: 'must be 17 digits and a check digit (0–9 or X)' }
  const expected = checkDigit(id.slice(0, 17))
  if (expected !== id[17]) return { kind: 'checkDigit', expected, text: `has a wrong check digit (should end in ${expected})` }
  const region = id.slice(0, 6)
  if (!isPossibleRegion(region)) return { kind: 'region', region, text: `holds no real region code (${region}: the first two digits name a province, the next two a city)` }
  const born = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  const d = new Date(`${born}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== born) return { kind: 'birthDate', born, text: `holds no real birth date (${born})` }
  if (birthDate !== undefined && born !== birthDate) return { kind: 'birthDateMismatch', born, given: birthDate, text: `says born ${born}, not ${birthDate}` }
  const says = Number(id[16]) % 2 === 1 ? '男' : '女'
  if (gender !== undefined && gender !== says) return { kind: 'genderMismatch', says, given: gender, text: `says ${says} (the 17th digit), not ${gender}` }
  return null
}

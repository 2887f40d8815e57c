// 18-digit resident ID numbers (GB 11643): fictional, but with a real check digit so
// that validation code is exercised the way real data would exercise it.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export function checkDigit(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && checkDigit(id.slice(0, 17)) === id[17]
}

/** region (6) + birth date YYYYMMDD + sequence (3, odd for men) + check digit */
export function makeIdNumber(region: string, birthDate: string, sequence: number): string {
  const body = region + birthDate.replaceAll('-', '') + String(sequence).padStart(3, '0')
  return body + checkDigit(body)
}

/**
 * Why an ID number cannot be this person's, or null: its form, its check digit (GB 11643), its
 * birth date against the one given, its sex digit (odd for men) against the gender given.
 */
export function idNumberProblem(id: string, birthDate?: string, gender?: '男' | '女'): string | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'must be 17 digits and a check digit (0–9 or X)'
  if (checkDigit(id.slice(0, 17)) !== id[17]) return `has a wrong check digit (should end in ${checkDigit(id.slice(0, 17))})`
  const born = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  const d = new Date(`${born}T00:00:00Z`)
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== born) return `holds no real birth date (${born})`
  if (birthDate !== undefined && born !== birthDate) return `says born ${born}, not ${birthDate}`
  const male = Number(id[16]) % 2 === 1
  if (gender !== undefined && (gender === '男') !== male) return `says ${male ? '男' : '女'} (the 17th digit), not ${gender}`
  return null
}

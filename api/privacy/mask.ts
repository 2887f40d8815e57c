// Default masking of personal data. Everything leaves the API masked unless a later,
// authorised and audited lookup asks otherwise.

/** 张三 → 张*, 张小三 → 张*三, 欧阳小三 → 欧**三 */
export function maskName(name: string): string {
  const chars = [...name]
  if (chars.length <= 1) return '*'
  if (chars.length === 2) return chars[0] + '*'
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1]
}

/**
 * Keeps the first 6 (the place of registration, shared by most of a township) and the last 2
 * characters of an 18-digit ID number. The birth date and most of the sequence stay hidden:
 * with the ten-year age band shown beside it some 33,000 numbers fit, where first 6 + last 4
 * next to an exact age left about 33 (the check digit does the rest).
 */
export function maskIdNumber(id: string | null): string {
  // a newborn's, before 户口 registration gives her one
  if (id === null) return ''
  if (id.length <= 8) return '*'.repeat(id.length)
  return id.slice(0, 6) + '*'.repeat(id.length - 8) + id.slice(-2)
}

/** 0–9岁, 10–19岁, …, 80岁以上 */
export function ageBand(age: number): string {
  if (age >= 80) return '80岁以上'
  const low = Math.max(0, Math.floor(age / 10) * 10)
  return `${low}–${low + 9}岁`
}

/** 13812341234 → 138****1234 */
export function maskPhone(phone: string | null): string {
  if (!phone) return ''
  if (phone.length < 7) return '*'.repeat(phone.length)
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4)
}

/** Withholds the house number: 店子镇东王庄村三组12号 → 店子镇东王庄村三组**号 */
export function maskAddress(address: string, houseNumber: string): string {
  const at = address.lastIndexOf(houseNumber)
  if (!houseNumber || at < 0) return address.replace(/\d+/g, (d) => '*'.repeat(d.length))
  return address.slice(0, at) + '*'.repeat(houseNumber.length) + address.slice(at + houseNumber.length)
}

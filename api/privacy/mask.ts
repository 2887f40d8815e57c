// Default masking of personal data. Everything leaves the API masked unless a later,
// authorised and audited lookup asks otherwise.

/** 张三 → 张*, 张小三 → 张*三, 欧阳小三 → 欧**三 */
export function maskName(name: string): string {
  const chars = [...name]
  if (chars.length <= 1) return '*'
  if (chars.length === 2) return chars[0] + '*'
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1]
}

/** Keeps the first 6 (region) and last 4 characters of an 18-digit ID number. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length)
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4)
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

import { idNumberProblem } from '../../../../geo/id-number.ts'

// Words and checks of the 人口双实 forms that any screen may use: the ID-number check in the
// users' language, what a valid ID number says, the relations the ledgers use, today in Beijing.

/** the relations the demo ledgers use (与户主关系); the field takes any short word */
export const RELATIONS = ['子女', '孙子女', '配偶', '父母', '户主', '兄弟姐妹', '其他']

/** today in Beijing, YYYY-MM-DD, whatever the device's time zone (what dates default to and are limited by) */
export const beijingToday = (now = Date.now()): string => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)

/**
 * Why this ID number cannot be this person's, in Chinese, or null. geo/id-number.ts decides
 * (GB 11643 form, check digit, birth date, the sex digit); the server checks again with the same code.
 */
export function idNumberCheck(id: string, birthDate?: string, gender?: '男' | '女'): string | null {
  const p = idNumberProblem(id.trim().toUpperCase(), birthDate || undefined, gender)
  if (!p) return null
  let m: RegExpMatchArray | null
  if (p.startsWith('must be 17 digits')) return '身份证号应为 18 位：17 位数字加 1 位校验码（0–9 或 X）'
  if ((m = p.match(/should end in (.)/))) return `身份证号校验码不对（按前 17 位应为 ${m[1]}），请核对号码`
  if ((m = p.match(/holds no real birth date \((.*)\)/))) return `身份证号中的出生日期 ${m[1]} 不存在`
  if ((m = p.match(/says born (\S+), not (\S+)/))) return `身份证号中的出生日期是 ${m[1]}，与填写的 ${m[2]} 不一致`
  if ((m = p.match(/says (.) \(the 17th digit\), not (.)/))) return `身份证号第 17 位表示${m[1]}性，与填写的性别“${m[2]}”不一致`
  return `身份证号 ${p}`
}

/** birth date and sex read from a valid ID number, to fill a form for the user */
export function fromIdNumber(id: string): { birthDate: string; gender: '男' | '女' } | null {
  const v = id.trim().toUpperCase()
  if (idNumberProblem(v)) return null
  return { birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`, gender: Number(v[16]) % 2 === 1 ? '男' : '女' }
}

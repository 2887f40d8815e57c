import { idNumberProblem, type IdNumberProblem } from '../../../../geo/id-number.ts'

// Words and checks of the 人口双实 forms that any screen may use: the ID-number check in the
// users' language, what a valid ID number says, the relations the ledgers use, today in Beijing.

/** the relations the demo ledgers use (与户主关系); the field takes any short word */
export const RELATIONS = ['子女', '孙子女', '配偶', '父母', '户主', '兄弟姐妹', '其他']

/** today in Beijing, YYYY-MM-DD, whatever the device's time zone (what dates default to and are limited by) */
export const beijingToday = (now = Date.now()): string => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10)

/**
 * Why this ID number cannot be this person's, in Chinese, or null. geo/id-number.ts decides
 * (GB 11643 form, check digit, place of registration, birth date, the sex digit) and names the
 * kind of problem, which is translated here; the server checks again with the same code.
 */
export function idNumberCheck(id: string, birthDate?: string, gender?: '男' | '女'): string | null {
  const p = idNumberProblem(id.trim().toUpperCase(), birthDate || undefined, gender)
  return p ? idNumberWords(p) : null
}

/** a problem of an ID number in the users' language, by its kind */
export function idNumberWords(p: IdNumberProblem): string {
  switch (p.kind) {
    case 'form': return '身份证号应为 18 位：17 位数字加 1 位校验码（0–9 或 X）'
    case 'checkDigit': return `身份证号校验码不对（按前 17 位应为 ${p.expected}），请核对号码`
    case 'region': return `身份证号前 6 位地区码 ${p.region} 不存在（前 2 位应为省级代码，第 3–4 位不能为 00），请核对号码`
    case 'birthDate': return `身份证号中的出生日期 ${p.born} 不存在`
    case 'birthDateMismatch': return `身份证号中的出生日期是 ${p.born}，与填写的 ${p.given} 不一致`
    case 'genderMismatch': return `身份证号第 17 位表示${p.says}性，与填写的性别“${p.given}”不一致`
  }
}

/** birth date and sex read from a valid ID number, to fill a form for the user */
export function fromIdNumber(id: string): { birthDate: string; gender: '男' | '女' } | null {
  const v = id.trim().toUpperCase()
  if (idNumberProblem(v)) return null
  return { birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`, gender: Number(v[16]) % 2 === 1 ? '男' : '女' }
}

import { idNumberProblem } from '../../../geo/id-number.ts'

// Words of the 人口双实 forms and history: what happened, to which field, in the users' language.

export const CHANGE_LABELS: Record<string, string> = {
  registration: '登记', update: '修改', birth: '出生', death: '死亡', moveIn: '迁入', moveOut: '迁出', moveHousehold: '转户',
  householdCreate: '立户', householdSplit: '分户', householdMerge: '合户', import: '部门导入',
}

export const FIELD_LABELS: Record<string, string> = {
  name: '姓名', idNumber: '身份证号', gender: '性别', birthDate: '出生日期', relation: '与户主关系', phone: '联系电话',
  partyMember: '党员', householdId: '所在户', items: '数据项',
}

/** the relations the demo ledgers use; the field takes any short word */
export const RELATIONS = ['户主', '配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他']

export const STATUS_LABELS: Record<string, string> = { active: '在册', death: '已故', moveOut: '已迁出' }

/** how a person enters the register (POST /api/residents event) */
export const ENTRY_EVENTS = [
  { value: 'registration', label: '补录登记' },
  { value: 'birth', label: '出生' },
  { value: 'moveIn', label: '迁入' },
] as const

/** the life events a registered person may have (POST /api/residents/:id/events) */
export const LIFE_EVENTS = [
  { value: 'death', label: '死亡（注销）' },
  { value: 'moveOut', label: '迁出（注销）' },
  { value: 'moveHousehold', label: '转到其他户' },
  { value: 'birth', label: '补记出生' },
] as const

/** a data item's value as a person reads it */
export function itemText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  if (v === true) return '是'
  if (v === false) return '否'
  return String(v)
}

/**
 * Why this ID number cannot be this person's, in Chinese, or null (geo/id-number.ts decides;
 * the server checks again with the same code).
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

/** birth date and sex read from a valid ID number, to fill the form for the user */
export function fromIdNumber(id: string): { birthDate: string; gender: '男' | '女' } | null {
  const v = id.trim().toUpperCase()
  if (idNumberProblem(v)) return null
  return { birthDate: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`, gender: Number(v[16]) % 2 === 1 ? '男' : '女' }
}

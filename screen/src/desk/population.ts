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

// the ID-number check in words and what a valid number says: shared with the phone's forms
export { fromIdNumber, idNumberCheck } from '../shared/lib/population-words.ts'

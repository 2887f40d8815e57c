import { HttpError } from '../http/errors.ts'

// The 23 data items kept in residents.items (the other 7 of the 30 are columns): what a value
// of each must be. The catalogue's labels and departments live in data_items; the types live
// here, beside the code that checks them, because loaded fixtures name only the catalogue's
// original columns.
export type ItemType = { type: 'boolean' } | { type: 'number'; min: number; max: number } | { type: 'choice'; choices: readonly string[] } | { type: 'text'; maxLength: number }

const choice = (...choices: string[]): ItemType => ({ type: 'choice', choices })
const bool: ItemType = { type: 'boolean' }

export const ITEM_TYPES: Record<string, ItemType> = {
  ethnicity: { type: 'text', maxLength: 20 },
  hukouType: choice('农业户口', '非农业户口'),
  education: choice('学龄前', '义务教育在读', '小学', '初中', '高中', '中专', '大专', '本科', '研究生', '文盲或半文盲'),
  maritalStatus: choice('未婚', '已婚', '离异', '丧偶'),
  occupation: { type: 'text', maxLength: 30 },
  employment: choice('在业', '在校', '外出务工', '无业', '退休'),
  workplace: choice('本镇', '本县', '县外省内', '外省'),
  healthStatus: choice('健康', '良好', '一般', '较差'),
  chronicDisease: { type: 'text', maxLength: 30 },
  vaccinated: bool,
  medicalInsurance: bool,
  pensionInsurance: bool,
  disabilityLevel: choice('一级', '二级', '三级', '四级'),
  subsistence: bool,
  extremePoverty: bool,
  militaryService: choice('退役', '未服兵役', '现役'),
  religion: { type: 'text', maxLength: 20 },
  landContract: { type: 'number', min: 0, max: 1000 },
  housingType: { type: 'text', maxLength: 20 },
  housingSafety: choice('A级', 'B级', 'C级', 'D级'),
  incomeLevel: choice('低', '中低', '中', '中高', '高'),
  schoolStage: choice('幼儿园', '小学', '初中', '高中', '大学'),
  legalAid: bool,
}

const YES = new Set(['是', '有', 'true', '1', 'y', 'yes'])
const NO = new Set(['否', '无', 'false', '0', 'n', 'no'])

/**
 * A value for an item from its text (an import cell) or JSON (a form), or a reason it is not
 * one. Empty means "not set" (null). Booleans accept 是/否 as departments write them.
 */
export function parseItemValue(key: string, raw: unknown): { value: unknown } | { problem: string } {
  const t = ITEM_TYPES[key]
  if (!t) return { problem: `is not a data item kept per resident (${key})` }
  if (raw === null || raw === undefined || raw === '') return { value: null }
  const text = typeof raw === 'string' ? raw.trim() : raw
  switch (t.type) {
    case 'boolean':
      if (typeof text === 'boolean') return { value: text }
      if (typeof text === 'string' && YES.has(text.toLowerCase())) return { value: true }
      if (typeof text === 'string' && NO.has(text.toLowerCase())) return { value: false }
      return { problem: `must be 是 or 否 (${String(raw)})` }
    case 'number': {
      const n = typeof text === 'number' ? text : Number(text)
      if (typeof text === 'string' && !/^-?\d+(\.\d+)?$/.test(text)) return { problem: `must be a number (${raw})` }
      if (!Number.isFinite(n) || n < t.min || n > t.max) return { problem: `must be a number from ${t.min} to ${t.max} (${String(raw)})` }
      return { value: n }
    }
    case 'choice':
      return typeof text === 'string' && t.choices.includes(text) ? { value: text } : { problem: `must be one of ${t.choices.join('、')} (${String(raw)})` }
    case 'text':
      return typeof text === 'string' && text.length <= t.maxLength ? { value: text } : { problem: `must be text of at most ${t.maxLength} characters` }
  }
}

/** Items from a form: each checked, a 400 naming the first bad one. */
export function checkItems(items: Record<string, unknown>, field = 'body/items'): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(items)) {
    const r = parseItemValue(k, v)
    if ('problem' in r) throw new HttpError(400, `${field}/${k} ${r.problem}`)
    out[k] = r.value
  }
  return out
}

/**
 * Care groups (特殊人群) that follow from data items: a department's list (民政局's 低保, 残联's
 * disability) keeps the ledgers current without anyone retagging by hand. The other care
 * groups (left-behind children, elderly living alone…) are judged by the grid worker.
 */
export const ITEM_CARE_TAGS: Record<string, { tag: string; applies: (v: unknown) => boolean }> = {
  subsistence: { tag: '低保对象', applies: (v) => v === true },
  extremePoverty: { tag: '特困人员', applies: (v) => v === true },
  disabilityLevel: { tag: '残疾人', applies: (v) => v !== null && v !== undefined && v !== '' },
  militaryService: { tag: '退役军人', applies: (v) => v === '退役' },
}

// What the app's forms say about a field, in zh-CN, beside it (AppForm.vue): the browser's own
// validation bubbles speak the browser's language ("Please fill out this field" in an en-US
// Chromium), so every form is `novalidate` and the rules stay where they were declared: the
// field's required, pattern, minlength, min and max, and for the app's date, month and time
// fields their data-kind (DateField.vue and its kin).
import { inRange, parseDate, parseMonth, parseTime } from './date-field.ts'

export type FieldKind = 'text' | 'number' | 'select' | 'checkbox' | 'file' | 'date' | 'month' | 'time'

export interface FieldState {
  kind: FieldKind
  /** the text as typed (a date field's own text, not its model) */
  value: string
  checked?: boolean
  files?: number
  required?: boolean
  pattern?: string | null
  minLength?: number | null
  min?: string | null
  max?: string | null
  /** the field's name as people read it (its label) */
  label?: string | null
  /** what the pattern asks for, in words (the field's title) */
  title?: string | null
  /** a number field holding what is no number */
  badInput?: boolean
}

const FORMATS: Partial<Record<FieldKind, { parse: (s: string) => string | null; says: string }>> = {
  date: { parse: parseDate, says: '请按 年-月-日 填写，如 2024-03-05' },
  month: { parse: parseMonth, says: '请按 年-月 填写，如 2024-03' },
  time: { parse: parseTime, says: '请按 24 小时制 时:分 填写，如 21:30' },
}

/** The first thing wrong with a field, said to people; null when it is fine. */
export function fieldMessage(f: FieldState): string | null {
  const label = f.label?.trim() ?? ''
  const value = f.kind === 'text' ? f.value.trim() : f.value
  if (f.kind === 'checkbox') return f.required && !f.checked ? `请勾选${label || '此项'}` : null
  if (f.kind === 'file') return f.required && !f.files ? `请选择${label || '文件'}` : null
  if (f.badInput) return '请填写数字'
  if (value === '') {
    if (!f.required) return null
    return f.kind === 'select' ? `请选择${label || '一项'}` : `请填写${label || '此项'}`
  }
  const format = FORMATS[f.kind]
  if (format) {
    const v = format.parse(value)
    if (v === null) return format.says
    if (!inRange(v, f.min, null)) return `不能早于 ${f.min}`
    if (!inRange(v, null, f.max)) return `不能晚于 ${f.max}`
    return null
  }
  if (f.kind === 'number') {
    const n = Number(value)
    if (!Number.isFinite(n)) return '请填写数字'
    if (f.min != null && f.min !== '' && n < Number(f.min)) return `不能小于 ${f.min}`
    if (f.max != null && f.max !== '' && n > Number(f.max)) return `不能大于 ${f.max}`
    return null
  }
  if (f.minLength && [...value].length < f.minLength) return `至少 ${f.minLength} 个字`
  if (f.pattern && !new RegExp(`^(?:${f.pattern})$`, 'u').test(value)) return f.title || '格式不正确'
  return null
}

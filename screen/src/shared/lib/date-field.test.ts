import { describe, expect, it } from 'vitest'
import { beijingToday, calendarWeeks, inRange, parseDate, parseMonth, parseTime } from './date-field.ts'

describe('parseDate', () => {
  it('reads the ways people type a date as YYYY-MM-DD', () => {
    for (const s of ['2024-03-05', '2024-3-5', '2024/3/5', '2024.03.05', '2024年3月5日', '2024 年 3 月 5 日', '20240305']) expect(parseDate(s), s).toBe('2024-03-05')
    expect(parseDate('')).toBe('')
    expect(parseDate('  ')).toBe('')
  })
  it('refuses what is no calendar date, the US order included', () => {
    for (const s of ['2023-02-29', '2024-02-30', '2024-13-01', '2024-00-10', '03/05/2024', 'mm/dd/yyyy', '2024-3', '24-3-5', '1899-12-31', '2024-03-05x']) expect(parseDate(s), s).toBeNull()
    expect(parseDate('2024-02-29')).toBe('2024-02-29')
  })
})

describe('parseMonth and parseTime', () => {
  it('read months and 24-hour times', () => {
    for (const s of ['2024-03', '2024-3', '2024/3', '2024年3月', '202403']) expect(parseMonth(s), s).toBe('2024-03')
    expect(parseMonth('2024-13')).toBeNull()
    for (const [s, v] of [['21:30', '21:30'], ['9:05', '09:05'], ['2130', '21:30'], ['905', '09:05'], ['21点30', '21:30'], ['7点', '07:00'], ['21：30', '21:30'], ['0:00', '00:00']]) expect(parseTime(s), s).toBe(v)
    for (const s of ['24:00', '12:60', '9:30 PM', 'abc']) expect(parseTime(s), s).toBeNull()
  })
})

describe('the calendar', () => {
  it('starts weeks on Monday and covers the month in whole weeks', () => {
    // 2024-03-01 was a Friday
    const weeks = calendarWeeks(2024, 3)
    expect(weeks[0][0]).toEqual({ date: '2024-02-26', day: 26, inMonth: false })
    expect(weeks[0][4]).toEqual({ date: '2024-03-01', day: 1, inMonth: true })
    expect(weeks.flat().filter((d) => d.inMonth)).toHaveLength(31)
    expect(weeks.every((w) => w.length === 7)).toBe(true)
    expect(weeks.at(-1)!.some((d) => d.date === '2024-03-31')).toBe(true)
  })
  it('compares against min and max, and knows Beijing’s day', () => {
    expect(inRange('2024-03-05', '2024-01-01', '2024-03-05')).toBe(true)
    expect(inRange('2024-03-06', null, '2024-03-05')).toBe(false)
    expect(beijingToday(new Date('2024-03-04T16:30:00Z'))).toBe('2024-03-05')
  })
})

describe('fieldMessage (the forms’ own zh-CN messages)', async () => {
  const { fieldMessage } = await import('./form-check.ts')
  it('says what is missing or wrong in zh-CN', () => {
    expect(fieldMessage({ kind: 'text', value: ' ', required: true, label: '姓名' })).toBe('请填写姓名')
    expect(fieldMessage({ kind: 'select', value: '', required: true, label: '部门' })).toBe('请选择部门')
    expect(fieldMessage({ kind: 'text', value: 'a b', pattern: '[A-Za-z0-9_.\\-]{2,64}', title: '2–64 位字母、数字或 _ . -' })).toBe('2–64 位字母、数字或 _ . -')
    expect(fieldMessage({ kind: 'text', value: '太短', minLength: 4 })).toBe('至少 4 个字')
    expect(fieldMessage({ kind: 'number', value: '90', min: '0', max: '80' })).toBe('不能大于 80')
    expect(fieldMessage({ kind: 'date', value: '2024/2/30' })).toBe('请按 年-月-日 填写，如 2024-03-05')
    expect(fieldMessage({ kind: 'date', value: '2024-03-06', max: '2024-03-05' })).toBe('不能晚于 2024-03-05')
    expect(fieldMessage({ kind: 'time', value: '9:30 PM' })).toBe('请按 24 小时制 时:分 填写，如 21:30')
    expect(fieldMessage({ kind: 'file', value: '', required: true, files: 0 })).toBe('请选择文件')
    expect(fieldMessage({ kind: 'text', value: '', label: '备注' })).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { makeIdNumber } from '../../../../geo/id-number.ts'
import { fromIdNumber, idNumberCheck } from './population-words.ts'
import { idNumberCheck as deskCheck } from '../../desk/population.ts'

// The forms' ID-number check in Chinese, translated by the kind of problem geo/id-number.ts names
describe('idNumberCheck', () => {
  const good = makeIdNumber('371326', '2026-10-03', 123)
  it('says in Chinese what is wrong, for every kind of problem', () => {
    expect(idNumberCheck(good, '2026-10-03', '男')).toBeNull()
    expect(idNumberCheck('12345')).toMatch(/应为 18 位/)
    expect(idNumberCheck(good.slice(0, 17) + (good[17] === '1' ? '2' : '1'))).toMatch(new RegExp(`校验码不对（按前 17 位应为 ${good[17]}）`))
    expect(idNumberCheck(makeIdNumber('000000', '2026-10-03', 123))).toMatch(/地区码 000000 不存在/)
    expect(idNumberCheck(makeIdNumber('370000', '2026-10-03', 123))).toMatch(/地区码 370000 不存在/)
    expect(idNumberCheck(makeIdNumber('371326', '2026-02-30', 123))).toMatch(/出生日期 2026-02-30 不存在/)
    expect(idNumberCheck(good, '2026-10-04')).toMatch(/出生日期是 2026-10-03，与填写的 2026-10-04 不一致/)
    expect(idNumberCheck(good, '2026-10-03', '女')).toMatch(/第 17 位表示男性/)
    for (const p of [idNumberCheck('12345'), idNumberCheck(makeIdNumber('000000', '2026-10-03', 123))]) expect(p).not.toMatch(/[a-z]{3}/)
  })
  it('is the same check on the desk and the phone', () => {
    expect(deskCheck(makeIdNumber('000000', '2026-10-03', 123))).toBe(idNumberCheck(makeIdNumber('000000', '2026-10-03', 123)))
  })
  it('fills the birth date and sex only from a number that could exist', () => {
    expect(fromIdNumber(good)).toEqual({ birthDate: '2026-10-03', gender: '男' })
    expect(fromIdNumber(makeIdNumber('000000', '2026-10-03', 123))).toBeNull()
  })
})

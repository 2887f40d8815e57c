import { describe, expect, it } from 'vitest'
import { checkDigit, idNumberProblem, isValidIdNumber, makeIdNumber } from './id-number.ts'

describe('ID numbers', () => {
  it('computes the GB 11643 check digit', () => {
    // the standard's worked example
    expect(checkDigit('11010519491231002')).toBe('X')
    expect(isValidIdNumber('11010519491231002X')).toBe(true)
    expect(isValidIdNumber('110105194912310021')).toBe(false)
  })
  it('builds numbers with the birth date and sex parity', () => {
    const id = makeIdNumber('371326', '1980-03-05', 123)
    expect(id.slice(6, 14)).toBe('19800305')
    expect(Number(id[16]) % 2).toBe(1)
    expect(isValidIdNumber(id)).toBe(true)
  })
})

describe('idNumberProblem', () => {
  const good = makeIdNumber('371326', '1980-01-01', 123)
  it('accepts a number that fits the person', () => {
    expect(idNumberProblem(good, '1980-01-01', '男')).toBeNull()
  })
  it('names what is wrong', () => {
    expect(idNumberProblem('12345')).toMatch(/17 digits/)
    expect(idNumberProblem(good.slice(0, 17) + (good[17] === '1' ? '2' : '1'))).toMatch(/check digit/)
    expect(idNumberProblem(good, '1980-01-02', '男')).toMatch(/born 1980-01-01/)
    expect(idNumberProblem(good, '1980-01-01', '女')).toMatch(/17th digit/)
    expect(idNumberProblem(makeIdNumber('371326', '1980-02-30', 1))).toMatch(/no real birth date/)
  })
})

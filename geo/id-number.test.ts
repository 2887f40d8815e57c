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
  it('names what is wrong, by kind and in words', () => {
    expect(idNumberProblem('12345')).toMatchObject({ kind: 'form', text: expect.stringMatching(/17 digits/) })
    const wrong = good.slice(0, 17) + (good[17] === '1' ? '2' : '1')
    expect(idNumberProblem(wrong)).toMatchObject({ kind: 'checkDigit', expected: good[17], text: expect.stringMatching(/check digit/) })
    expect(idNumberProblem(good, '1980-01-02', '男')).toMatchObject({ kind: 'birthDateMismatch', born: '1980-01-01', given: '1980-01-02', text: expect.stringMatching(/born 1980-01-01/) })
    expect(idNumberProblem(good, '1980-01-01', '女')).toMatchObject({ kind: 'genderMismatch', says: '男', given: '女', text: expect.stringMatching(/17th digit/) })
    expect(idNumberProblem(makeIdNumber('371326', '1980-02-30', 1))).toMatchObject({ kind: 'birthDate', born: '1980-02-30', text: expect.stringMatching(/no real birth date/) })
  })
  it('refuses region codes that cannot exist: no province, or a whole province', () => {
    for (const region of ['000000', '100000', '160000', '240000', '380000', '470000', '550000', '660000', '720000', '900000', '910101', '990000', '370000', '110000', '710000', '810101']) {
      expect(idNumberProblem(makeIdNumber(region, '1980-01-01', 123)), region).toMatchObject({ kind: 'region', region, text: expect.stringMatching(/region/) })
      expect(isValidIdNumber(makeIdNumber(region, '1980-01-01', 123)), region).toBe(false)
    }
  })
  it('accepts every province-level code with a city, a city without districts (441900), and 港澳台 residence permits', () => {
    const provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71]
    for (const p of provinces) expect(idNumberProblem(makeIdNumber(`${p}0102`, '1980-01-01', 123)), String(p)).toBeNull()
    for (const region of ['371326', '441900', '110105', '370100', '810000', '820000', '830000']) expect(idNumberProblem(makeIdNumber(region, '1980-01-01', 123)), region).toBeNull()
  })
})

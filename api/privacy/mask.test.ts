import { describe, expect, it } from 'vitest'
import { ageBand, maskAddress, maskIdNumber, maskName, maskPhone } from './mask.ts'

describe('masking', () => {
  it('masks names keeping surname and last character', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('张小三')).toBe('张*三')
    expect(maskName('欧阳小三')).toBe('欧**三')
    expect(maskName('张')).toBe('*')
  })
  it('keeps the first 6 and last 2 of an ID number, hiding the birth date and the sequence', () => {
    expect(maskIdNumber('37132619800101123X')).toBe('371326**********3X')
  })
  it('gives ten-year age bands', () => {
    expect([0, 9, 10, 39, 79, 80, 103].map(ageBand)).toEqual(['0–9岁', '0–9岁', '10–19岁', '30–39岁', '70–79岁', '80岁以上', '80岁以上'])
  })
  it('masks the middle of a phone', () => {
    expect(maskPhone('13812341234')).toBe('138****1234')
    expect(maskPhone(null)).toBe('')
  })
  it('withholds the house number', () => {
    expect(maskAddress('店子镇东王庄村三组12号', '12')).toBe('店子镇东王庄村三组**号')
  })
})

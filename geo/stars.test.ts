import { describe, expect, it } from 'vitest'
import { rateSecretary, type Honour, type StarInputs } from './stars.ts'

const nat = (name = '全国优秀党务工作者'): Honour => ({ level: 'national', name })
const prov = (name = '山东省优秀共产党员'): Honour => ({ level: 'provincial', name })

describe('星级评定 by the rule', () => {
  // review, honours, years in office → stars
  const TABLE: [StarInputs['annualReview'], Honour[], number, number][] = [
    ['优秀', [], 1, 2],
    ['合格', [], 1, 1],
    ['基本合格', [], 1, 0],
    ['不合格', [], 1, 0],
    ['优秀', [nat()], 3, 4],
    ['合格', [prov()], 2, 2],
    ['基本合格', [nat()], 5, 2],
    ['不合格', [prov()], 1, 1],
    // every honour counts: two provincial and a national one
    ['合格', [prov(), prov('临沂市担当作为好书记'), nat()], 8, 5],
    ['优秀', [nat(), nat('全国脱贫攻坚先进个人')], 10, 6],
    // from one year in office: a secretary of a few months gets no stars, whatever the year brought
    ['优秀', [], 0, 0],
    ['优秀', [nat(), prov()], 0, 0],
    ['不合格', [], 0, 0],
  ]
  for (const [annualReview, honours, tenureYears, stars] of TABLE) {
    it(`${annualReview}, ${honours.map((h) => h.level).join('+') || 'no honours'}, ${tenureYears} years in office: ${stars}`, () => {
      expect(rateSecretary({ annualReview, honours, tenureYears }).stars).toBe(stars)
    })
  }

  it('gives its reasons, one per part of the rule that applied', () => {
    expect(rateSecretary({ annualReview: '优秀', honours: [nat(), prov()], tenureYears: 4 }).reasons).toEqual([
      '年度考核优秀 +2', '国家级荣誉「全国优秀党务工作者」 +2', '省级荣誉「山东省优秀共产党员」 +1',
    ])
    expect(rateSecretary({ annualReview: '基本合格', honours: [], tenureYears: 1 }).reasons).toEqual(['年度考核基本合格，不加星'])
    expect(rateSecretary({ annualReview: '优秀', honours: [nat()], tenureYears: 0 }).reasons).toEqual(['任职未满1年，不计星'])
  })
})

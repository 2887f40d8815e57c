import { describe, expect, it } from 'vitest'
import type { Stats } from '../../../../geo/stats.ts'
import { careOption, coarseText, COVERAGE_BARS, coverageOption, STAR_ROWS, starsOption } from './options.ts'

// A township's 17 villages and a county's 102 (npm run fixtures -- --scale 6), with the
// figures the API sends: no chart may get more categories than it can show.
const villages = (n: number) => Array.from({ length: n }, (_, i) => ({ villageId: i + 1, name: `第${i + 1}村` }))
const party = (n: number): NonNullable<Stats['party']> => ({
  members: 0, attendance: [],
  stars: villages(n).map((v, i) => ({ ...v, year: 2025, stars: (i * 7) % 5, reasons: [] })),
})
const health = (n: number): NonNullable<Stats['health']> => {
  const byVillage = villages(n).map((v, i) => ({
    ...v, eligible: 1000 + i, medicalInsured: 900 + (i % 90), pensionEligible: 800 + (i % 37), pensionInsured: 650 + (i % 120), vaccinated: 950 - (i % 80),
  }))
  const sum = (k: 'eligible' | 'medicalInsured' | 'pensionEligible' | 'pensionInsured' | 'vaccinated') => byVillage.reduce((s, r) => s + r[k], 0)
  return {
    month: '2026-10', eligible: sum('eligible'), medicalInsured: sum('medicalInsured'), pensionEligible: sum('pensionEligible'),
    pensionInsured: sum('pensionInsured'), vaccinated: sum('vaccinated'), byVillage,
  }
}
type Built = { yAxis?: { data: string[] }; xAxis?: { data: string[] }; series: { data: number[] }[] }

describe("the wall's charts at any number of villages", () => {
  it('draws the stars per village up to what fits, then as how many villages have each rating', () => {
    for (const n of [1, 5, 17, 18, 102, 1271]) {
      const o = starsOption(party(n), 1) as unknown as Built
      expect(o.yAxis!.data.length, `${n} villages`).toBeLessThanOrEqual(STAR_ROWS)
      if (n <= STAR_ROWS) expect(o.yAxis!.data).toHaveLength(n)
      else {
        expect(o.yAxis!.data).toEqual(['★★★★', '★★★', '★★', '★', '无星'])
        expect(o.series[0].data.reduce((s, x) => s + x, 0)).toBe(n)
      }
    }
  })

  it('keeps a secretary with more than four stars in the chart: her bar at full length, her stars counted, the top rating marked as more', () => {
    const p = party(17)
    p.stars[3] = { ...p.stars[3], stars: 6, reasons: ['年度考核优秀 +2', '国家级荣誉「甲」 +2', '国家级荣誉「乙」 +2'] }
    const o = starsOption(p, 1) as unknown as Built & { xAxis: { max: number } }
    expect(o.xAxis.max).toBe(6)
    expect(o.series[0].data[0]).toBe(6)
    const county = party(102)
    county.stars[0] = { ...county.stars[0], stars: 5 }
    expect((starsOption(county, 1) as unknown as Built).yAxis!.data[0]).toBe('★★★★+')
  })

  it('draws coverage per village up to what fits, then the furthest behind and 其他 with the rest', () => {
    for (const n of [1, 17, 18, 102]) {
      const h = health(n)
      const o = coverageOption(h, 1) as unknown as Built
      expect(o.xAxis!.data.length, `${n} villages`).toBeLessThanOrEqual(COVERAGE_BARS)
      if (n <= COVERAGE_BARS) {
        expect(o.xAxis!.data).toEqual(h.byVillage.map((v) => v.name.replace(/村$/, '')))
        continue
      }
      expect(o.xAxis!.data.at(-1)).toBe('其他')
      // the villages kept are the ones furthest behind: none left out is further behind than one kept
      const rate = (v: (typeof h.byVillage)[number]) => v.medicalInsured / v.eligible + v.pensionInsured / v.pensionEligible + v.vaccinated / v.eligible
      const kept = new Set(o.xAxis!.data.slice(0, -1))
      const keptRates = h.byVillage.filter((v) => kept.has(v.name.replace(/村$/, ''))).map(rate)
      const restRates = h.byVillage.filter((v) => !kept.has(v.name.replace(/村$/, ''))).map(rate)
      expect(keptRates).toHaveLength(COVERAGE_BARS - 1)
      expect(Math.max(...keptRates)).toBeLessThanOrEqual(Math.min(...restRates))
      // 其他's medical-insurance rate is that of the villages it holds, from their counts
      const rest = h.byVillage.filter((v) => !kept.has(v.name.replace(/村$/, '')))
      const expected = Math.round((rest.reduce((s, v) => s + v.medicalInsured, 0) / rest.reduce((s, v) => s + v.eligible, 0)) * 1000) / 10
      expect(o.series[0].data.at(-1)).toBe(expected)
      // and its pension rate is of those aged 16 and over, not of everyone
      const pension = Math.round((rest.reduce((s, v) => s + v.pensionInsured, 0) / rest.reduce((s, v) => s + v.pensionEligible, 0)) * 1000) / 10
      expect(o.series[1].data.at(-1)).toBe(pension)
    }
  })
})

describe("the wall's coarse counts", () => {
  const population = (careGroups: { key: string; count: number | null }[]): Stats['population'] => ({
    households: 50, residents: 180, male: 90, female: 90, ageBands: [], partyMembers: 9, careGroups, keyGroupTotal: null, dataItems: 30, departments: 12,
  })
  type Bars = { series: { data: (number | { value: number; label: { formatter: string } })[] }[] }

  it('labels a small cell "<5" and a rounded one "≈10", never NaN', () => {
    const coarse = { below: 5, roundTo: 5 }
    const o = careOption(population([{ key: '低保对象', count: 10 }, { key: '特困人员', count: null }]), 1, coarse) as unknown as Bars
    expect(o.series[0].data).toEqual([{ value: 10, label: { formatter: '≈10' } }, { value: 2.5, label: { formatter: '<5' } }])
    expect(JSON.stringify(o)).not.toMatch(/NaN/)
    expect(coarseText(null, coarse)).toBe('<5')
    expect(coarseText(15, coarse)).toBe('≈15')
    // staff's exact counts stay plain numbers
    expect((careOption(population([{ key: '低保对象', count: 7 }]), 1) as unknown as Bars).series[0].data).toEqual([7])
    expect(coarseText(7, null)).toBeUndefined()
  })
})

import type { Stats } from '../../../../geo/stats.ts'
import { histogram, REST_LABEL, topWithRest } from '../../../../geo/chart-shape.ts'
import { axisStyle, baseOption } from './theme.ts'

const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 0)
const shortMonth = (m: string) => `${Number(m.slice(5, 7))}月`

/** 党建先锋: 28日活动日 and 三会一课 attendance by month */
export function attendanceOption(p: NonNullable<Stats['party']>, s: number) {
  return {
    ...baseOption(s),
    legend: { top: 0, textStyle: { color: '#cfe8ff', fontSize: 12 * s }, itemWidth: 14 * s, itemHeight: 8 * s },
    grid: { left: 40 * s, right: 12 * s, top: 28 * s, bottom: 22 * s },
    xAxis: { type: 'category', data: p.attendance.map((a) => shortMonth(a.month)), ...axisStyle(s) },
    yAxis: { type: 'value', min: 60, max: 100, ...axisStyle(s), axisLabel: { ...axisStyle(s).axisLabel, formatter: '{value}%' } },
    series: [
      { name: '28日活动日', type: 'line', smooth: true, symbolSize: 5 * s, data: p.attendance.map((a) => pct(a.activityDay.attended, a.activityDay.expected)) },
      { name: '三会一课', type: 'line', smooth: true, symbolSize: 5 * s, data: p.attendance.map((a) => pct(a.threeMeetings.attended, a.threeMeetings.expected)) },
    ],
  }
}

/**
 * Rows the star chart holds: its box is about 200 design px tall at 1920×1080 and an 11 px
 * label needs about 11.5, so the demo's 17 villages fill it.
 */
export const STAR_ROWS = 17
const STAR_KEYS = [4, 3, 2, 1, 0] as const

/**
 * Stars as a label of at most four ★: a secretary with several honours can pass four (the rule
 * has no ceiling), and six ★ would not fit beside a full-length bar
 */
export const starText = (n: number) => (n > 4 ? `★×${n}` : '★'.repeat(n) || '—')

/** 星级评定 of village secretaries; beyond STAR_ROWS villages, how many villages have each rating */
export function starsOption(p: NonNullable<Stats['party']>, s: number) {
  const perVillage = p.stars.length <= STAR_ROWS
  const most = Math.max(4, ...p.stars.map((r) => r.stars))
  const beyond = most > 4
  const rows = perVillage
    ? [...p.stars].sort((a, b) => b.stars - a.stars).map((r) => ({ name: r.name, value: r.stars, reasons: r.reasons }))
    : histogram(p.stars, (r) => Math.min(4, r.stars), STAR_KEYS)
      .map((h) => ({ name: h.key ? '★'.repeat(h.key) + (h.key === 4 && beyond ? '+' : '') : '无星', value: h.count, reasons: [] as string[] }))
  return {
    ...baseOption(s),
    // the right margin holds the longest label (four stars, or 'N个村') beside a full-length bar
    grid: { left: 64 * s, right: 58 * s, top: 6 * s, bottom: 6 * s },
    // each village's reasons beside its bar (考核, honours, or too short in office)
    tooltip: { ...baseOption(s).tooltip, trigger: 'item' as const,
      formatter: (x: { dataIndex: number }) => [rows[x.dataIndex].name, ...rows[x.dataIndex].reasons].join('<br/>') },
    xAxis: { type: 'value', max: perVillage ? most : undefined, show: false },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), ...axisStyle(s),
      axisLabel: { color: perVillage ? '#cfe8ff' : '#fbbf24', fontSize: 11 * s, interval: 0 } },
    series: [{ type: 'bar', barWidth: '55%', data: rows.map((r) => r.value), itemStyle: { color: '#fbbf24', borderRadius: 3 * s },
      label: { show: true, position: 'right', color: '#fbbf24', fontSize: 11 * s,
        formatter: perVillage ? (x: { value: number }) => starText(x.value) : (x: { value: number }) => `${x.value}个村` } }],
  }
}

/** 村级事务: welfare funds by category */
export function fundsOption(a: NonNullable<Stats['affairs']>, s: number) {
  return {
    ...baseOption(s),
    tooltip: { trigger: 'item' as const, textStyle: { fontSize: 13 * s } },
    legend: { orient: 'vertical', right: 0, top: 'middle', textStyle: { color: '#cfe8ff', fontSize: 12 * s }, itemWidth: 12 * s, itemHeight: 8 * s },
    series: [{
      type: 'pie', radius: ['42%', '72%'], center: ['32%', '50%'], label: { show: false },
      data: a.fundsByCategory.map((f) => ({ name: f.category, value: Math.round(f.amountYuan) })),
    }],
  }
}

/** Villages the coverage chart holds: three bars and a 40° label each in about 440 design px. */
export const COVERAGE_BARS = 17
type CoverageRow = NonNullable<Stats['health']>['byVillage'][number]
/** a village's three rates together (nobody to count counts as covered): the furthest behind come first */
const share = (a: number, b: number) => (b ? a / b : 1)
const coverage = (r: CoverageRow) => (share(r.medicalInsured, r.eligible) + share(r.pensionInsured, r.pensionEligible) + share(r.vaccinated, r.eligible)) / 3

/**
 * 疫网即办: coverage per village (or the one village); beyond COVERAGE_BARS villages, the ones
 * furthest behind and the others together as 其他 (their rates from their summed counts)
 */
export function coverageOption(h: NonNullable<Stats['health']>, s: number) {
  const rows = topWithRest(h.byVillage, COVERAGE_BARS, {
    rank: (a, b) => coverage(a) - coverage(b) || a.villageId - b.villageId,
    merge: (rest) => ({
      villageId: 0, name: REST_LABEL, eligible: rest.reduce((n, r) => n + r.eligible, 0), medicalInsured: rest.reduce((n, r) => n + r.medicalInsured, 0),
      pensionEligible: rest.reduce((n, r) => n + r.pensionEligible, 0), pensionInsured: rest.reduce((n, r) => n + r.pensionInsured, 0),
      vaccinated: rest.reduce((n, r) => n + r.vaccinated, 0),
    }),
  })
  return {
    ...baseOption(s),
    legend: { top: 0, textStyle: { color: '#cfe8ff', fontSize: 12 * s }, itemWidth: 14 * s, itemHeight: 8 * s },
    grid: { left: 36 * s, right: 8 * s, top: 28 * s, bottom: 44 * s },
    xAxis: { type: 'category', data: rows.map((r) => r.name.replace(/村$/, '')), ...axisStyle(s), axisLabel: { ...axisStyle(s).axisLabel, rotate: 40, interval: 0, fontSize: 10 * s } },
    yAxis: { type: 'value', min: 60, max: 100, ...axisStyle(s) },
    series: [
      { name: '医保', type: 'bar', barGap: 0, data: rows.map((r) => pct(r.medicalInsured, r.eligible)) },
      { name: '养老', type: 'bar', data: rows.map((r) => pct(r.pensionInsured, r.pensionEligible)) },
      { name: '疫苗', type: 'bar', data: rows.map((r) => pct(r.vaccinated, r.eligible)) },
    ],
  }
}

/** 智慧管理: population by age band */
export function ageOption(p: Stats['population'], s: number) {
  return {
    ...baseOption(s),
    tooltip: { trigger: 'item' as const, textStyle: { fontSize: 13 * s } },
    series: [{
      type: 'pie', radius: ['38%', '68%'], center: ['50%', '54%'],
      label: { color: '#cfe8ff', fontSize: 11 * s, formatter: '{b}\n{d}%' }, labelLine: { length: 6 * s, length2: 6 * s },
      data: p.ageBands.map((b) => ({ name: b.key, value: b.count })),
    }],
  }
}

/**
 * A count a wall got coarsened (Stats.coarse) as it is shown: "<5" for a small cell the API
 * left out, "≈10" for a rounded one; undefined for an exact count (shown as a number).
 */
export function coarseText(count: number | null, coarse: Stats['coarse']): string | undefined {
  if (count === null) return `<${coarse?.below ?? 5}`
  return coarse ? `≈${count}` : undefined
}

/** 智慧管理: care groups; a small cell a wall does not get is a stub of a bar labelled "<5" */
export function careOption(p: Stats['population'], s: number, coarse: Stats['coarse'] = null) {
  const rows = p.careGroups.slice(0, 9)
  const stub = coarse ? coarse.below / 2 : 0
  return {
    ...baseOption(s),
    grid: { left: 66 * s, right: 34 * s, top: 4 * s, bottom: 4 * s },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.key), ...axisStyle(s), axisLabel: { color: '#cfe8ff', fontSize: 11 * s, interval: 0 } },
    series: [{ type: 'bar', barWidth: '55%', itemStyle: { color: '#22d3ee', borderRadius: 3 * s },
      data: rows.map((r) => {
        const text = coarseText(r.count, coarse)
        return text === undefined ? r.count : { value: r.count ?? stub, label: { formatter: text } }
      }),
      label: { show: true, position: 'right', color: '#cfe8ff', fontSize: 11 * s } }],
  }
}

/** 法制视野: disputes by type */
export function disputeTypeOption(l: Stats['law'], s: number) {
  return {
    ...baseOption(s),
    tooltip: { trigger: 'item' as const, textStyle: { fontSize: 13 * s } },
    legend: { orient: 'horizontal', bottom: 0, left: 'center', textStyle: { color: '#cfe8ff', fontSize: 10.5 * s }, itemWidth: 10 * s, itemHeight: 7 * s, itemGap: 6 * s },
    series: [{ type: 'pie', radius: ['22%', '62%'], center: ['50%', '36%'], label: { show: false }, roseType: 'radius',
      data: l.byType.map((t) => ({ name: t.key, value: t.count })) }],
  }
}

/** 法制视野: reported and resolved by month */
export function disputeTrendOption(l: Stats['law'], s: number) {
  const months = l.monthly.slice(-12)
  return {
    ...baseOption(s),
    legend: { top: 0, textStyle: { color: '#cfe8ff', fontSize: 12 * s }, itemWidth: 14 * s, itemHeight: 8 * s },
    grid: { left: 30 * s, right: 8 * s, top: 28 * s, bottom: 22 * s },
    xAxis: { type: 'category', data: months.map((m) => shortMonth(m.month)), ...axisStyle(s) },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(s) },
    series: [
      { name: '受理', type: 'bar', data: months.map((m) => m.reported), itemStyle: { color: '#38bdf8' } },
      { name: '化解', type: 'line', smooth: true, data: months.map((m) => m.resolved), itemStyle: { color: '#34d399' } },
    ],
  }
}

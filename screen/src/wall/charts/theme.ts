// Colours and type sizes of the dark wall, in design px; multiplied by the design scale.
export const SERIES = ['#38bdf8', '#22d3ee', '#fbbf24', '#a78bfa', '#34d399', '#f472b6', '#fb923c', '#60a5fa', '#f87171']
export const AXIS = '#6b93b5'
export const TEXT = '#cfe8ff'

export function axisStyle(s: number) {
  return {
    axisLine: { lineStyle: { color: AXIS } },
    axisLabel: { color: TEXT, fontSize: 12 * s },
    splitLine: { lineStyle: { color: 'rgba(107,147,181,0.18)' } },
  }
}

export function baseOption(s: number) {
  return {
    color: SERIES,
    textStyle: { fontFamily: 'Noto Sans CJK SC, sans-serif', fontSize: 12 * s, color: TEXT },
    tooltip: { trigger: 'axis' as const, textStyle: { fontSize: 13 * s }, backgroundColor: 'rgba(6,24,48,0.95)', borderColor: '#38bdf8' },
    animationDuration: 600,
  }
}

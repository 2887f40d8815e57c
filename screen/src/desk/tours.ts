// The tours editor's drafts: a step as the form holds it (a kind and the ids it needs) and back
// to the scope string the API and the wall read (county | town | town:ID | village:ID | grid:ID | vehicle:ID).
import { parseTourScope, type Tour, type TourStep } from '../wall/lib/tour.ts'

export type StepKind = 'county' | 'town' | 'village' | 'grid' | 'vehicle'
/** 全县 only on a county's system (more than one town): a town's wall has no county to show */
export const STEP_KINDS: { kind: StepKind; label: string; county?: true }[] = [
  { kind: 'county', label: '全县', county: true }, { kind: 'town', label: '全镇' }, { kind: 'village', label: '村' }, { kind: 'grid', label: '网格' },
  { kind: 'vehicle', label: '跟随车辆' },
]

export interface StepDraft {
  kind: StepKind
  /** a town step on a county's system: which town (null: the wall's own, or the first) */
  townId: number | null
  villageId: number | null
  gridId: number | null
  vehicleId: number | null
  dwellSeconds: number
}
export interface TourDraft {
  /** a key for the list while the name is being edited */
  key: number
  name: string
  steps: StepDraft[]
  night: boolean
  nightStart: string
  nightEnd: string
  /** 0 … 80 (%): how much darker the wall gets at night */
  dimPercent: number
}

/** the API's limits (api/walls/routes.ts) */
export const DWELL_MIN = 5
export const DWELL_MAX = 3600

let keys = 0
export const blankStep = (): StepDraft => ({ kind: 'town', townId: null, villageId: null, gridId: null, vehicleId: null, dwellSeconds: 30 })
export const blankTour = (name = ''): TourDraft => ({ key: ++keys, name, steps: [blankStep()], night: false, nightStart: '22:00', nightEnd: '06:00', dimPercent: 50 })

/** a saved step as the form shows it; a grid step needs its village, found through `villageOfGrid` */
export function stepDraft(s: TourStep, villageOfGrid: (gridId: number) => number | null): StepDraft {
  const t = parseTourScope(s.scope)
  const d = { ...blankStep(), dwellSeconds: s.dwellSeconds }
  if (!t) return d
  if (t.kind === 'county') return { ...d, kind: 'county' }
  if (t.kind === 'town') return { ...d, townId: t.id }
  if (t.kind === 'village') return { ...d, kind: 'village', villageId: t.id }
  if (t.kind === 'grid') return { ...d, kind: 'grid', gridId: t.id, villageId: villageOfGrid(t.id) }
  return { ...d, kind: 'vehicle', vehicleId: t.id }
}

export function tourDraft(t: Tour, villageOfGrid: (gridId: number) => number | null): TourDraft {
  return {
    key: ++keys, name: t.name, steps: t.steps.map((s) => stepDraft(s, villageOfGrid)), night: t.schedule !== null,
    nightStart: t.schedule?.nightStart ?? '22:00', nightEnd: t.schedule?.nightEnd ?? '06:00', dimPercent: Math.round((t.schedule?.dim ?? 0.5) * 100),
  }
}

/** the scope string, or null while the step lacks its village, grid or truck */
export function stepScope(s: StepDraft): string | null {
  if (s.kind === 'county') return 'county'
  if (s.kind === 'town') return s.townId ? `town:${s.townId}` : 'town'
  const id = s.kind === 'village' ? s.villageId : s.kind === 'grid' ? s.gridId : s.vehicleId
  return id ? `${s.kind}:${id}` : null
}

/** what is wrong with the drafts, in words, or null when they can be saved */
export function draftProblem(drafts: TourDraft[]): string | null {
  const names = new Set<string>()
  for (const d of drafts) {
    const name = d.name.trim()
    if (!name) return '轮播名称不能为空'
    if (name.length > 40) return `轮播“${name.slice(0, 12)}…”的名称超过 40 字`
    if (names.has(name)) return `轮播名称“${name}”重复`
    names.add(name)
    if (!d.steps.length) return `轮播“${name}”至少需要一步`
    for (const [i, s] of d.steps.entries()) {
      if (!stepScope(s)) return `轮播“${name}”第 ${i + 1} 步未选${s.kind === 'vehicle' ? '车辆' : s.kind === 'grid' ? '网格' : '村'}`
      if (!Number.isInteger(s.dwellSeconds) || s.dwellSeconds < DWELL_MIN || s.dwellSeconds > DWELL_MAX) return `轮播“${name}”第 ${i + 1} 步停留时间须为 ${DWELL_MIN}–${DWELL_MAX} 秒`
    }
    if (d.night && (!/^([01]\d|2[0-3]):[0-5]\d$/.test(d.nightStart) || !/^([01]\d|2[0-3]):[0-5]\d$/.test(d.nightEnd))) return `轮播“${name}”的夜间时段格式应为 HH:MM`
  }
  return null
}

/** the drafts as PUT /api/tours takes them (call draftProblem first) */
export function toTours(drafts: TourDraft[]): Pick<Tour, 'name' | 'steps' | 'schedule'>[] {
  return drafts.map((d) => ({
    name: d.name.trim(),
    steps: d.steps.map((s) => ({ scope: stepScope(s)!, dwellSeconds: s.dwellSeconds })),
    schedule: d.night ? { nightStart: d.nightStart, nightEnd: d.nightEnd, dim: Math.min(80, Math.max(0, Math.round(d.dimPercent))) / 100 } : null,
  }))
}

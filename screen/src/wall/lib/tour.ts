// Tours (轮播): a wall cycles through a list of scopes on its own, each for its dwell time.
// Pure timing rules here (tested in tour.test.ts); the runner is stores/tour.ts.

import type { Tour, TourSchedule, TourStep } from '../../../../geo/tours.ts'
export type { Tour, TourSchedule, TourStep }

export type TourTarget =
  | { kind: 'county'; id: null } | { kind: 'town'; id: number | null } | { kind: 'village'; id: number } | { kind: 'grid'; id: number } | { kind: 'vehicle'; id: number }

const SCOPE = /^(county|town|(town|village|grid|vehicle):([1-9]\d{0,8}))$/

/** a step's scope ('town' is the wall's own town, 'town:ID' one of a county's), or null for one this wall cannot show */
export function parseTourScope(raw: string): TourTarget | null {
  const m = SCOPE.exec(raw)
  if (!m) return null
  if (m[1] === 'county' || m[1] === 'town') return { kind: m[1], id: null }
  return { kind: m[2] as 'town' | 'village' | 'grid' | 'vehicle', id: Number(m[3]) } as TourTarget
}

/** A person touching the wall holds the tour this long after the last touch. */
export const PAUSE_MS = 60_000

/**
 * When the step that began at `startedAt` gives way to the next: after its dwell time, or, if
 * someone used the wall meanwhile, a minute after the last touch, whichever is later.
 */
export function stepEndsAt(startedAt: number, dwellSeconds: number, pausedUntil: number): number {
  return Math.max(startedAt + dwellSeconds * 1000, pausedUntil)
}

export const nextIndex = (index: number, steps: number): number => (steps > 0 ? (index + 1) % steps : 0)

/**
 * Where a tour picks up after the wall reloaded itself (new build, heap past its limit): the
 * step it was about to show, if the reload is recent and the tour is the same one; else the start.
 */
export function resumeIndex(saved: { tour: string; index: number; at: number } | null, tour: string, steps: number, now: number): number {
  if (!saved || saved.tour !== tour || now - saved.at > 10 * 60_000 || now < saved.at) return 0
  return Number.isInteger(saved.index) && saved.index >= 0 && saved.index < steps ? saved.index : 0
}

const minutesOf = (hhmm: string): number | null => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm)
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

const shanghai = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** minutes since midnight, Beijing time, whatever the wall PC's own time zone */
export function shanghaiMinutes(at: number | Date): number {
  const [h, m] = shanghai.format(at).split(':').map(Number)
  return h * 60 + m
}

/**
 * Whether the schedule's night is on at `at`. 22:00–06:00 runs across midnight: on from 22:00
 * until 05:59. The start is in, the end is out; equal times mean no night at all.
 */
export function isNight(schedule: TourSchedule | null | undefined, at: number | Date): boolean {
  if (!schedule) return false
  const start = minutesOf(schedule.nightStart)
  const end = minutesOf(schedule.nightEnd)
  if (start === null || end === null || start === end) return false
  const now = shanghaiMinutes(at)
  return start < end ? now >= start && now < end : now >= start || now < end
}

/** the dimming to apply now: the schedule's, clamped to 0 … 0.8, and only at night */
export function nightDim(schedule: TourSchedule | null | undefined, at: number | Date): number {
  return schedule && isNight(schedule, at) ? Math.min(0.8, Math.max(0, schedule.dim)) : 0
}

// Keeping a wall alive for months without anyone at it: when it should reload itself (a new
// build on the server, a JS heap grown past its limit) and when doing so disturbs nobody.
// Pure rules here (tested in upkeep.test.ts); the store is stores/upkeep.ts.

/** the JS heap a wall may grow to before it reloads itself, unless the address says ?heapLimitMb= */
export const DEFAULT_HEAP_LIMIT_MB = 1024
/** readings in a row over the limit: one high reading can be garbage the collector has not met yet */
export const HEAP_READINGS_OVER = 3
/** a wall nobody touched for this long may reload (one without a tour; a touring wall reloads between steps) */
export const QUIET_AFTER_MS = 60_000

/** a new build, a heap past its limit, or the admin asked from the desk (远程刷新) */
export type ReloadReason = 'version' | 'heap' | 'remote'

/** the limit from the address (?heapLimitMb=800), or the default; nonsense falls back to the default */
export function heapLimitFrom(search: string): number {
  const raw = new URLSearchParams(search).get('heapLimitMb')
  const n = raw === null ? NaN : Number(raw)
  return Number.isFinite(n) && n >= 1 && n <= 100_000 ? n : DEFAULT_HEAP_LIMIT_MB
}

/** the last `readings` heap readings (MB, oldest first) are all past the limit */
export function heapOverLimit(series: readonly (number | null)[], limitMb: number, readings = HEAP_READINGS_OVER): boolean {
  if (series.length < readings) return false
  return series.slice(-readings).every((mb) => mb !== null && mb > limitMb)
}

/**
 * Why this wall should reload, if it should: the server runs another build than the one that
 * served this page (its version is known and differs), or the heap stayed past its limit.
 */
export function reloadReason(mine: string | null, server: string | null, heapSeries: readonly (number | null)[], limitMb: number): ReloadReason | null {
  if (mine && server && mine !== server) return 'version'
  if (heapOverLimit(heapSeries, limitMb)) return 'heap'
  return null
}

export interface Moment {
  now: number
  /** when someone last touched the wall (pointer, wheel, key), 0 if never */
  lastTouch: number
  /** a tour is running: it reloads between two steps instead (see stores/tour.ts) */
  touring: boolean
  /** a truck's track is being replayed: someone is watching it */
  replaying: boolean
  /** the page is hidden (a minimised window): a reload there disturbs nobody */
  hidden?: boolean
}

/** A wall without a tour reloads when nobody has touched it for a minute and nothing is being replayed. */
export function isQuiet(m: Moment): boolean {
  if (m.touring) return false
  if (m.hidden) return true
  return !m.replaying && m.now - m.lastTouch >= QUIET_AFTER_MS
}

/** frames per second from frame timestamps (ms) over a sampling window, one decimal */
export function framesPerSecond(stamps: readonly number[]): number | null {
  if (stamps.length < 2) return null
  const span = stamps[stamps.length - 1] - stamps[0]
  return span > 0 ? Math.round(((stamps.length - 1) / span) * 10_000) / 10 : null
}

/** an id a wall makes once and keeps: 16 letters and digits */
export function makeDisplayId(random: (n: number) => Uint8Array): string {
  const abc = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
  return `wall-${[...random(16)].map((b) => abc[b % abc.length]).join('')}`
}

import type { SmallCountBy, Stats } from '../../geo/stats.ts'
import type { VehicleDispatch } from '../../geo/vehicles.ts'

// What a wall (the display role: a screen in a hall, read by whoever stands there) gets beyond
// what policy.ts lets it read: counts at a level where no one person can be singled out, and
// no free text. Roles without 'stats.smallCounts' get coarse counts; roles without
// 'freeText.read' get orders, dispatches and their pushes without staff text (wall-order.ts).

/**
 * Below `below` people a sensitive count is not given (null, shown "<5"); from there it is
 * rounded to a multiple of `roundTo`, so one household moving in or out rarely changes it and
 * never says which group it was in for certain.
 */
export const SMALL_CELL = { below: 5, roundTo: 5 } as const

/**
 * Grids (~50 households) and villages (~600): a move within a town changes them by one
 * household. Towns and the county (tens of thousands of people, dozens of changes a day) keep
 * exact counts.
 */
const COARSE_SCOPES: ReadonlySet<Stats['scope']['kind']> = new Set(['grid', 'village'])

export function coarseCount(n: number): number | null {
  return n < SMALL_CELL.below ? null : Math.round(n / SMALL_CELL.roundTo) * SMALL_CELL.roundTo
}

/**
 * The figures a wall gets: care-group counts, the key-group total and the ledger counts
 * coarsened at grid and village scope. Every care group is listed, present or not, so a group
 * appearing or vanishing from the list tells nothing either.
 */
export function coarsenStats(stats: Stats, careGroups: readonly string[]): Stats {
  if (!COARSE_SCOPES.has(stats.scope.kind)) return stats
  const counted = new Map(stats.population.careGroups.map((c) => [c.key, c.count ?? 0]))
  const care: SmallCountBy[] = [...new Set([...careGroups, ...counted.keys()])]
    .map((key) => ({ key, count: coarseCount(counted.get(key) ?? 0) }))
    .sort((a, b) => (b.count ?? 0) - (a.count ?? 0) || a.key.localeCompare(b.key, 'zh-CN'))
  const { keyGroups: _detail, ...population } = stats.population
  return {
    ...stats,
    coarse: { ...SMALL_CELL },
    population: { ...population, careGroups: care, keyGroupTotal: coarseCount(stats.population.keyGroupTotal ?? 0) },
    management: {
      ...stats.management,
      ledgers: { people: coarseCount(stats.management.ledgers.people ?? 0), overdue: coarseCount(stats.management.ledgers.overdue ?? 0) },
    },
  }
}

/** A dispatch order as a wall gets it: where the truck goes and who sent it, not the dispatcher's note. */
export function dispatchForWall(d: VehicleDispatch): Omit<VehicleDispatch, 'note'> {
  const { note: _note, ...shown } = d
  return shown
}

/** The socket room of every connection without 'freeText.read' (walls): pushes reach it redacted. */
export const REDACTED_ROOM = 'redacted'

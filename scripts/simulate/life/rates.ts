// How busy the demo township is: the work its people do in an hour, spread over ticks.
// Tuned so that a wall left open for an hour sees its feed, its loop counts, this month's
// visits and 法制视野 move, while a resident's report stays within the public route's limits
// (10 an hour from one address: the simulator is one address).

/** What the township does in one step (a tick): each a count of attempts. */
export interface LifeCounts {
  /** 一键点单: residents' reports on the public page, without an account */
  residentReports: number
  /** a grid worker reports what she found in her grid (问) */
  gridReports: number
  /** a grid worker reports a 矛盾纠纷 (a dispute order, which opens a dispute) */
  disputes: number
  /** 入户走访: a grid worker's household visit */
  visits: number
  /** the command center dispatches a waiting order to its village (派) */
  dispatches: number
  /** the village's cadre handles a dispatched order (办) */
  handles: number
  /** the command center reviews a handled order (审) */
  reviews: number
  /** the command center replies to the reporter (回) */
  replies: number
  /** the reporter rates a replied order (评): the grid worker, or the resident by her tracking code */
  ratings: number
}

export const LIFE_KINDS = ['residentReports', 'gridReports', 'disputes', 'visits', 'dispatches', 'handles', 'reviews', 'replies', 'ratings'] as const satisfies readonly (keyof LifeCounts)[]

/** The demo's rate, per hour (README: "The demo township lives"). */
export const LIFE_PER_HOUR: LifeCounts = {
  residentReports: 3,
  gridReports: 8,
  disputes: 1,
  visits: 60,
  dispatches: 12,
  handles: 12,
  reviews: 12,
  replies: 12,
  ratings: 12,
}

export const noCounts = (): LifeCounts => ({ residentReports: 0, gridReports: 0, disputes: 0, visits: 0, dispatches: 0, handles: 0, reviews: 0, replies: 0, ratings: 0 })

/**
 * Whole counts for each tick from hourly rates: what a tick owes is carried to the next, so over
 * an hour the counts add up to the rate exactly (no randomness in how much happens, only in what).
 */
export class LifePace {
  private owed = noCounts()

  constructor(private readonly perHour: LifeCounts = LIFE_PER_HOUR) {}

  /** the counts of a tick `minutes` long */
  next(minutes: number): LifeCounts {
    const out = noCounts()
    for (const k of LIFE_KINDS) {
      this.owed[k] += (this.perHour[k] * minutes) / 60
      out[k] = Math.floor(this.owed[k] + 1e-9)
      this.owed[k] -= out[k]
    }
    return out
  }
}

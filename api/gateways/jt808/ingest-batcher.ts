import type { PositionInput } from '../../../geo/vehicles.ts'
import type { IngestOptions, IngestResult, Rejection } from '../../vehicles/ingest.ts'

export type Ingest = (positions: PositionInput[], options: IngestOptions) => Promise<IngestResult>

/** What one caller's fixes came to. */
export interface BatchOutcome {
  accepted: number
  rejected: Rejection[]
}

interface Waiting {
  positions: PositionInput[]
  resolve: (o: BatchOutcome) => void
  reject: (err: unknown) => void
}

/**
 * Thousands of terminals each reporting once a second would be thousands of transactions a
 * second. Fixes from all connections wait here for at most `windowMs` (or until `maxFixes`)
 * and go into one ingest call per coordinate system; each caller is answered with its own
 * share, after the commit, so a terminal's reply still means "durably stored".
 * At most `maxInFlight` ingests run at once: while they do, fixes keep gathering and go as one
 * larger batch when one finishes, so a flood the database cannot keep up with makes batches
 * bigger instead of transactions more (which would queue for the pool and fall further behind).
 */
export class IngestBatcher {
  private readonly queues = new Map<NonNullable<IngestOptions['crs']>, Waiting[]>()
  private queued = 0
  private timer: NodeJS.Timeout | null = null
  private readonly inFlight = new Set<Promise<void>>()

  constructor(
    private readonly ingest: Ingest,
    private readonly windowMs = 20,
    private readonly maxFixes = 2000,
    private readonly maxInFlight = 2,
  ) {}

  add(positions: PositionInput[], crs: NonNullable<IngestOptions['crs']>): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      let q = this.queues.get(crs)
      if (!q) this.queues.set(crs, (q = []))
      q.push({ positions, resolve, reject })
      this.queued += positions.length
      if (this.queued >= this.maxFixes) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs)
    })
  }

  /** Sends what is queued, unless maxInFlight ingests are running: then when one finishes. */
  flush(force = false): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.queued || (!force && this.inFlight.size >= this.maxInFlight)) return
    this.queued = 0
    for (const [crs, waiting] of this.queues) {
      const run = this.run(waiting, crs)
      this.inFlight.add(run)
      void run.finally(() => {
        this.inFlight.delete(run)
        // what gathered meanwhile goes now, as one batch
        if (this.queued) this.flush()
      })
    }
    this.queues.clear()
  }

  /** Sends what is queued and waits for every ingest under way. */
  async drain(): Promise<void> {
    this.flush(true)
    while (this.inFlight.size) await Promise.all(this.inFlight)
  }

  private async run(waiting: Waiting[], crs: NonNullable<IngestOptions['crs']>): Promise<void> {
    const all = waiting.flatMap((w) => w.positions)
    try {
      const result = await this.ingest(all, { crs })
      let start = 0
      const byIndex = new Map(result.rejected.map((r) => [r.index, r]))
      for (const w of waiting) {
        const rejected: Rejection[] = []
        for (let i = 0; i < w.positions.length; i++) {
          const r = byIndex.get(start + i)
          // renumbered to the caller's own fixes
          if (r) rejected.push({ ...r, index: i, field: r.field.replace(/^positions\/\d+/, `positions/${i}`), message: r.message.replace(/^positions\/\d+/, `positions/${i}`) })
        }
        start += w.positions.length
        w.resolve({ accepted: w.positions.length - rejected.length, rejected })
      }
    } catch (err) {
      for (const w of waiting) w.reject(err)
    }
  }
}

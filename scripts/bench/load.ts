// A closed-loop load generator: `concurrency` workers call `op` back to back for
// `seconds`; reports throughput and latency percentiles. Used for both sides of
// every ratio, so the comparison is like for like.
export interface LoadResult {
  ops: number
  seconds: number
  perSecond: number
  p50: number
  p95: number
  p99: number
  errors: number
  /** every latency, sorted, so rounds can be combined */
  latencies: number[]
}

/** Several rounds of the same load as one result. */
export function combine(rounds: LoadResult[]): LoadResult {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0)
  return {
    ops: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    latencies,
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export async function runLoad(op: (i: number) => Promise<void>, concurrency: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const i = next++
        const t = performance.now()
        try {
          await op(i)
          latencies.push(performance.now() - t)
        } catch {
          errors++
        }
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    ops: latencies.length,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors,
    latencies,
  }
}

/**
 * An open-loop bench's window: waits out the warm-up, then tells the load to count for
 * `seconds`; resolves with the seconds actually measured.
 */
export async function measuredWindow(warmupS: number, seconds: number, measuring: (on: boolean) => void): Promise<number> {
  await new Promise((r) => setTimeout(r, warmupS * 1000))
  measuring(true)
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  measuring(false)
  return (performance.now() - t0) / 1000
}

export function fmt(r: LoadResult): string {
  return `${r.perSecond.toFixed(0)}/s (n=${r.ops}, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''})`
}

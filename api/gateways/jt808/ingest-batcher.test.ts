import { describe, expect, it } from 'vitest'
import type { PositionInput } from '../../../geo/vehicles.ts'
import { IngestBatcher, type Ingest } from './ingest-batcher.ts'

const fix = (vehicleId: number, lat = 35.1): PositionInput => ({ vehicleId, time: '2026-11-30T10:00:00Z', lon: 117.4, lat, speedKmh: 30, heading: 90 })

/** an ingest that takes its time, records each call's size, and refuses a lat of 99 */
function slowIngest(ms: number) {
  const calls: number[] = []
  const ingest: Ingest = async (positions) => {
    calls.push(positions.length)
    await new Promise((r) => setTimeout(r, ms))
    const rejected = positions.flatMap((p, index) =>
      p.lat === 99 ? [{ index, field: `positions/${index}/lat`, message: `positions/${index}/lat must be within [-90, 90]` }] : [])
    return { accepted: positions.length - rejected.length, duplicates: 0, rejected } as Awaited<ReturnType<Ingest>>
  }
  return { calls, ingest }
}

describe('IngestBatcher', () => {
  it('gathers fixes while the database is busy into one larger batch, and answers each caller its own share', async () => {
    const { calls, ingest } = slowIngest(100)
    const batcher = new IngestBatcher(ingest, 5, 2000, 2)
    const first = [batcher.add([fix(1)], 'wgs84')]
    await new Promise((r) => setTimeout(r, 20))
    const second = [batcher.add([fix(2)], 'wgs84')]
    await new Promise((r) => setTimeout(r, 20))
    // two ingests run: these 50 wait, and go as one batch when one of them finishes
    const rest = Array.from({ length: 50 }, (_, i) => batcher.add([fix(10 + i, i === 7 ? 99 : 35.1), fix(100 + i)], 'wgs84'))
    const outcomes = await Promise.all([...first, ...second, ...rest])
    expect(calls).toEqual([1, 1, 100])
    expect(outcomes[0]).toEqual({ accepted: 1, rejected: [] })
    // the refused fix is reported to its own caller, numbered within that caller's fixes
    expect(outcomes[2 + 7]).toMatchObject({ accepted: 1, rejected: [{ index: 0, field: 'positions/0/lat' }] })
    expect(outcomes.filter((o) => o.rejected.length).length).toBe(1)
  })

  it('drain stores what is queued even while ingests run', async () => {
    const { calls, ingest } = slowIngest(50)
    const batcher = new IngestBatcher(ingest, 1000, 2000, 1)
    const a = batcher.add([fix(1)], 'wgs84')
    batcher.flush()
    const b = batcher.add([fix(2)], 'wgs84')
    await batcher.drain()
    await expect(Promise.all([a, b])).resolves.toHaveLength(2)
    expect(calls).toEqual([1, 1])
  })
})

import { describe, expect, it } from 'vitest'
import type { VehicleTrack } from '../../../../geo/vehicles.ts'
import { positionAt, trackBounds } from './track.ts'

const track = (coords: [number, number][], times: number[]): VehicleTrack => ({
  type: 'Feature',
  geometry: { type: 'LineString', coordinates: coords },
  properties: { vehicleId: 1, from: '', to: '', points: coords.length, times, speeds: [], distanceKm: 0 },
})

describe('fleet playback track', () => {
  const t = track([[117.0, 35.0], [117.2, 35.0], [117.2, 35.4]], [1000, 2000, 4000])

  it('places the truck between the fixes either side of the time', () => {
    expect(positionAt(t, 1500)).toEqual({ lon: 117.1, lat: 35.0, i: 0 })
    const p = positionAt(t, 3000)!
    expect(p.i).toBe(1)
    expect(p.lon).toBeCloseTo(117.2)
    expect(p.lat).toBeCloseTo(35.2)
    expect(positionAt(t, 0)).toEqual({ lon: 117.0, lat: 35.0, i: 0 })
    expect(positionAt(t, 9999)).toEqual({ lon: 117.2, lat: 35.4, i: 2 })
    expect(positionAt(track([], []), 5)).toBeNull()
  })

  it('bounds the whole track, which is what the map fits', () => {
    expect(trackBounds(t)).toEqual([117.0, 35.0, 117.2, 35.4])
    expect(trackBounds(track([], []))).toBeNull()
  })
})

import type { VehicleTrack } from '../../../../geo/vehicles.ts'

/** where the truck was at `t` (epoch ms) on the track, between the vertices either side */
export function positionAt(track: VehicleTrack, t: number): { lon: number; lat: number; i: number } | null {
  const times = track.properties.times
  const coords = track.geometry.coordinates
  if (!times.length) return null
  if (t <= times[0]) return { lon: coords[0][0], lat: coords[0][1], i: 0 }
  let lo = 0
  let hi = times.length - 1
  if (t >= times[hi]) return { lon: coords[hi][0], lat: coords[hi][1], i: hi }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (times[mid] <= t) lo = mid
    else hi = mid
  }
  const k = times[hi] === times[lo] ? 0 : (t - times[lo]) / (times[hi] - times[lo])
  return { lon: coords[lo][0] + (coords[hi][0] - coords[lo][0]) * k, lat: coords[lo][1] + (coords[hi][1] - coords[lo][1]) * k, i: lo }
}

/** [minLon, minLat, maxLon, maxLat] of a track: what the map fits when playback opens */
export function trackBounds(track: VehicleTrack): [number, number, number, number] | null {
  const c = track.geometry.coordinates
  if (!c.length) return null
  let b: [number, number, number, number] = [c[0][0], c[0][1], c[0][0], c[0][1]]
  for (const [x, y] of c) b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)]
  return b
}

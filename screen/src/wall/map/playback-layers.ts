import { IconLayer, PathLayer } from '@deck.gl/layers'
import type { Layer } from '@deck.gl/core'
import type { VehicleTrack } from '../../../../geo/vehicles.ts'
import { TRUCK_ICON } from './vehicle-layers.ts'

type LonLat = [number, number]

/** Where the truck was at time t on its track, and which way it was heading. */
export function trackPositionAt(track: VehicleTrack, t: number): { at: LonLat; heading: number; index: number } {
  const times = track.properties.times
  const coords = track.geometry.coordinates
  let lo = 0
  let hi = times.length - 1
  while (lo < hi - 1) {
    const mid = (lo + hi) >> 1
    if (times[mid] <= t) lo = mid
    else hi = mid
  }
  const a = coords[lo]
  const b = coords[hi] ?? a
  const span = times[hi] - times[lo]
  const k = span > 0 ? Math.min(1, Math.max(0, (t - times[lo]) / span)) : 0
  const dx = (b[0] - a[0]) * Math.cos((a[1] * Math.PI) / 180)
  const dy = b[1] - a[1]
  const heading = dx || dy ? ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360 : 0
  return { at: [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k], heading, index: lo }
}

/** The whole track dim, the part already driven bright, the truck where it was at `at`. */
export function playbackLayers({ track, at, scale }: { track: VehicleTrack; at: number; scale: number }): Layer[] {
  const pos = trackPositionAt(track, at)
  const driven = [...track.geometry.coordinates.slice(0, pos.index + 1), pos.at]
  return [
    new PathLayer<{ path: LonLat[] }>({
      id: 'playback-track',
      data: [{ path: track.geometry.coordinates }],
      getPath: (d) => d.path,
      getColor: [148, 163, 184, 140],
      getWidth: 3,
      widthUnits: 'pixels',
      widthScale: scale,
    }),
    new PathLayer<{ path: LonLat[] }>({
      id: 'playback-driven',
      data: [{ path: driven }],
      getPath: (d) => d.path,
      getColor: [250, 204, 21, 235],
      getWidth: 4,
      widthUnits: 'pixels',
      widthScale: scale,
      jointRounded: true,
      capRounded: true,
    }),
    new IconLayer<{ at: LonLat; heading: number }>({
      id: 'playback-truck',
      data: [{ at: pos.at, heading: pos.heading }],
      getPosition: (d) => d.at,
      getIcon: () => TRUCK_ICON,
      getSize: 34,
      sizeScale: scale,
      getAngle: (d) => -d.heading,
      getColor: [250, 204, 21, 255],
    }),
  ]
}

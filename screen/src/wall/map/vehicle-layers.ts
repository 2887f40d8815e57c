import { IconLayer, PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import type { Layer } from '@deck.gl/core'
import type { VehicleStatus } from '../../../../geo/vehicles.ts'
import { glidePosition, type LiveTruck } from '../stores/vehicles.ts'
import { LABEL_STYLE } from './layers.ts'

type RGBA = [number, number, number, number]

// A truck seen from above, nose up (north); deck.gl turns it by the heading. A bundled file
// from our own origin: the CSP allows no fetch of data: URLs.
import truckUrl from '../assets/truck.svg?no-inline'

export const TRUCK_ICON = {
  url: truckUrl,
  width: 64,
  height: 64,
  anchorY: 32,
  mask: true,
  id: 'truck',
}

export const STATUS_COLOURS: Record<VehicleStatus | 'alert', RGBA> = {
  moving: [74, 222, 128, 255],
  stopped: [56, 189, 248, 255],
  offline: [148, 163, 184, 255],
  noSignal: [100, 116, 139, 255],
  alert: [248, 113, 113, 255],
}

export interface VehicleLayerInput {
  trucks: LiveTruck[]
  now: number
  scale: number
  statusOf: (vehicleId: number) => VehicleStatus
  alerted: Set<number>
  plateOf: (vehicleId: number) => string
  followId: number | null
}

interface Drawn {
  truck: LiveTruck
  at: [number, number]
  colour: RGBA
}

/** Trucks gliding between fixes, turned to their heading, with the trail of the last minutes. */
export function vehicleLayers({ trucks, now, scale, statusOf, alerted, plateOf, followId }: VehicleLayerInput): Layer[] {
  const drawn: Drawn[] = trucks.map((truck) => ({
    truck,
    at: glidePosition(truck, now),
    colour: alerted.has(truck.vehicleId) ? STATUS_COLOURS.alert : STATUS_COLOURS[statusOf(truck.vehicleId)],
  }))
  const followed = drawn.filter((d) => d.truck.vehicleId === followId)
  const layers: (Layer | false)[] = [
    new PathLayer<Drawn>({
      id: 'truck-trails',
      data: drawn,
      getPath: (d) => [...d.truck.trail.slice(0, -1).map(([x, y]) => [x, y] as [number, number]), d.at],
      getColor: (d) => [d.colour[0], d.colour[1], d.colour[2], 150],
      getWidth: 3,
      widthUnits: 'pixels',
      widthScale: scale,
      capRounded: true,
      jointRounded: true,
    }),
    followed.length > 0 &&
      new ScatterplotLayer<Drawn>({
        id: 'truck-follow-ring',
        data: followed,
        getPosition: (d) => d.at,
        getRadius: 22,
        radiusUnits: 'pixels',
        radiusScale: scale,
        filled: false,
        stroked: true,
        getLineColor: [250, 204, 21, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 2.5,
      }),
    new IconLayer<Drawn>({
      id: 'trucks',
      data: drawn,
      pickable: true,
      getPosition: (d) => d.at,
      getIcon: () => TRUCK_ICON,
      getSize: 30,
      sizeScale: scale,
      getAngle: (d) => -d.truck.heading,
      getColor: (d) => d.colour,
    }),
    new TextLayer<Drawn>({
      id: 'truck-labels',
      data: drawn,
      getPosition: (d) => d.at,
      getText: (d) => plateOf(d.truck.vehicleId),
      getSize: 13,
      sizeScale: scale,
      getPixelOffset: [0, 24 * scale],
      getColor: [255, 255, 255, 240],
      ...LABEL_STYLE,
    }),
  ]
  return layers.filter((l): l is Layer => !!l)
}

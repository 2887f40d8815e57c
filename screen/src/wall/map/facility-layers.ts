import { LineLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import type { Layer } from '@deck.gl/core'
import type { CameraProps, CollectionPointProps, Facilities } from '../../../../geo/types.ts'
import type { VehicleDispatch } from '../../../../geo/vehicles.ts'
import { LABEL_STYLE } from './layers.ts'

type Pt = { geometry: { coordinates: [number, number] } }

/**
 * Collection points (收集点) and the transfer station (中转站) always; cameras once the map
 * is close enough to tell them apart; open dispatch orders as a dashed-looking line from
 * the truck to its collection point.
 */
export function facilityLayers({ facilities, zoom, scale, selectedVillage, dispatches, truckAt }: {
  facilities: Facilities
  zoom: number
  scale: number
  selectedVillage: number | null
  dispatches: VehicleDispatch[]
  truckAt: (vehicleId: number) => [number, number] | null
}): Layer[] {
  const showCameras = zoom >= 13
  const layers: (Layer | false)[] = [
    showCameras && new ScatterplotLayer<Pt & { properties: CameraProps }>({
      id: 'cameras',
      data: facilities.cameras.features as never,
      // a click plays the camera's stream (CameraCard)
      pickable: true,
      getPosition: (d) => d.geometry.coordinates,
      getFillColor: (d) => (d.properties.online ? [167, 139, 250, 230] : [100, 116, 139, 200]),
      getRadius: (d) => (d.properties.kind === 'high' ? 5 : 3.5),
      radiusUnits: 'pixels',
      radiusScale: scale,
      stroked: true,
      getLineColor: [3, 18, 38, 255],
      lineWidthMinPixels: 1,
    }),
    new ScatterplotLayer<Pt & { properties: CollectionPointProps }>({
      id: 'collection-points',
      data: facilities.collectionPoints.features as never,
      getPosition: (d) => d.geometry.coordinates,
      getFillColor: (d) => (selectedVillage === null || d.properties.villageId === selectedVillage ? [52, 211, 153, 235] : [52, 211, 153, 90]),
      getRadius: 4.5,
      radiusUnits: 'pixels',
      radiusScale: scale,
      stroked: true,
      getLineColor: [3, 18, 38, 255],
      lineWidthMinPixels: 1.5,
      updateTriggers: { getFillColor: selectedVillage },
    }),
    new ScatterplotLayer<Pt>({
      id: 'transfer-stations',
      data: facilities.transferStations.features as never,
      getPosition: (d) => d.geometry.coordinates,
      getFillColor: [251, 146, 60, 255],
      getRadius: 8,
      radiusUnits: 'pixels',
      radiusScale: scale,
      stroked: true,
      getLineColor: [255, 255, 255, 255],
      lineWidthMinPixels: 2,
    }),
    new TextLayer<Pt & { properties: { name: string } }>({
      id: 'transfer-station-labels',
      data: facilities.transferStations.features as never,
      getPosition: (d) => d.geometry.coordinates,
      getText: (d) => d.properties.name,
      getSize: 13,
      sizeScale: scale,
      getPixelOffset: [0, -18 * scale],
      getColor: [253, 186, 116, 255],
      ...LABEL_STYLE,
    }),
  ]
  const orders = dispatches
    .map((d) => ({ d, from: truckAt(d.vehicleId) }))
    .filter((o): o is { d: VehicleDispatch; from: [number, number] } => o.from !== null)
  if (dispatches.length) {
    layers.push(
      new LineLayer<{ d: VehicleDispatch; from: [number, number] }>({
        id: 'dispatch-lines',
        data: orders,
        getSourcePosition: (o) => o.from,
        getTargetPosition: (o) => [o.d.lon, o.d.lat],
        getColor: [250, 204, 21, 200],
        getWidth: 2,
        widthUnits: 'pixels',
        widthScale: scale,
      }),
      new ScatterplotLayer<VehicleDispatch>({
        id: 'dispatch-targets',
        data: dispatches,
        getPosition: (d) => [d.lon, d.lat],
        filled: false,
        stroked: true,
        getLineColor: [250, 204, 21, 255],
        getRadius: 14,
        radiusUnits: 'pixels',
        radiusScale: scale,
        lineWidthUnits: 'pixels',
        getLineWidth: 2.5,
      }),
      new TextLayer<VehicleDispatch>({
        id: 'dispatch-labels',
        data: dispatches,
        getPosition: (d) => [d.lon, d.lat],
        getText: (d) => `调度 ${d.plate.replace(/^.*·/, '')} → ${d.collectionPointName}`,
        getSize: 13,
        sizeScale: scale,
        getPixelOffset: [0, -24 * scale],
        getColor: [250, 204, 21, 255],
        ...LABEL_STYLE,
      }),
    )
  }
  return layers.filter((l): l is Layer => !!l)
}

import { ScatterplotLayer } from '@deck.gl/layers'
import { HeatmapLayer } from '@deck.gl/aggregation-layers'
import type { Layer } from '@deck.gl/core'
import type { WallWorkOrder as WorkOrder } from '../../../../geo/work-orders.ts'

/** open orders amber, overdue red, closed slate (collection points are the green ones); the selected one ringed */
export function workOrderColor(o: WorkOrder): [number, number, number, number] {
  if (o.state === 'closed') return [148, 163, 184, 140]
  if (o.overdue) return [248, 113, 113, 240]
  return [251, 191, 36, 235]
}

/**
 * The orders split once per list (new arrays on every redraw would rebuild the layers'
 * attributes). An order a wall got at its grid's label point (`approximate`: a sensitive
 * category) has no place to mark: it stays in the feed, and a marker there would stand on the
 * grid's name, where a click means "open this grid".
 */
const split = new WeakMap<WorkOrder[], { closed: WorkOrder[]; live: WorkOrder[] }>()
function byState(orders: WorkOrder[]): { closed: WorkOrder[]; live: WorkOrder[] } {
  let s = split.get(orders)
  if (!s) {
    const placed = orders.filter((o) => !o.approximate)
    split.set(orders, (s = { closed: placed.filter((o) => o.state === 'closed'), live: placed.filter((o) => o.state !== 'closed') }))
  }
  return s
}

/**
 * `under` goes beneath the place names (the heat map, the closed orders: faint context), `over`
 * above them (open and overdue orders, which no name may hide).
 */
export function workOrderLayers({ orders, scale, selectedId, heat }: { orders: WorkOrder[]; scale: number; selectedId: number | null; heat: [number, number][] | null }): { under: Layer[]; over: Layer[] } {
  if (heat) {
    // where events cluster over the year: the places that need a standing fix, not one more order
    return { under: [
      new HeatmapLayer<[number, number]>({
        id: 'work-order-heat',
        data: heat,
        getPosition: (p) => p,
        radiusPixels: 28 * scale,
        intensity: 1,
        threshold: 0.04,
        opacity: 0.75,
        colorRange: [[30, 64, 175], [56, 189, 248], [74, 222, 128], [250, 204, 21], [249, 115, 22], [239, 68, 68]],
      }),
    ], over: [] }
  }
  const { closed, live } = byState(orders)
  return { under: [orderLayer('work-orders-closed', closed, scale, selectedId)], over: [orderLayer('work-orders', live, scale, selectedId)] }
}

function orderLayer(id: string, data: WorkOrder[], scale: number, selectedId: number | null): Layer {
  return new ScatterplotLayer<WorkOrder>({
    id,
    data,
    getPosition: (o) => [o.lon, o.lat],
    getFillColor: workOrderColor,
    getRadius: (o) => (o.id === selectedId ? 7 : o.state === 'closed' ? 3 : 4.5),
    radiusUnits: 'pixels',
    radiusScale: scale,
    stroked: true,
    // a white ring tells an open order from a household of the same colour in the household map
    getLineColor: (o) => (o.id === selectedId || o.state !== 'closed' ? [255, 255, 255, 255] : [3, 18, 38, 255]),
    getLineWidth: (o) => (o.state === 'closed' ? 1 : 1.5),
    lineWidthUnits: 'pixels',
    lineWidthScale: scale,
    pickable: true,
    updateTriggers: { getRadius: selectedId, getLineColor: selectedId },
  })
}

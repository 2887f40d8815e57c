import { expect, it } from 'vitest'
import type { MultiPolygon, Polygon } from 'geojson'
import { bboxOf, contains, outerRings } from './polygons.ts'

const square = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]

it('reads polygons with holes and multipolygons alike', () => {
  const holed: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10), square(4, 4, 2)] }
  const two: MultiPolygon = { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]] }
  expect(contains(holed, [1, 1])).toBe(true)
  expect(contains(holed, [5, 5])).toBe(false)
  expect(contains(two, [5.5, 5.5])).toBe(true)
  expect(contains(two, [3, 3])).toBe(false)
  expect(bboxOf(two)).toEqual([0, 0, 6, 6])
  expect(outerRings(two)).toHaveLength(2)
  expect(outerRings(holed)).toEqual([square(0, 0, 10)])
})

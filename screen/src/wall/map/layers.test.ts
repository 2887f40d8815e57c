import { describe, expect, it } from 'vitest'
import { PolygonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import { splitLabels } from './layers.ts'

describe('splitLabels', () => {
  it('takes the place names out of the areas, each list keeping its drawing order', () => {
    const layers = [
      new PolygonLayer({ id: 'towns' }), new TextLayer({ id: 'town-labels' }), new PolygonLayer({ id: 'villages' }),
      new ScatterplotLayer({ id: 'households' }), new TextLayer({ id: 'grid-labels' }), new TextLayer({ id: 'village-labels' }),
    ]
    const [areas, names] = splitLabels(layers)
    expect(areas.map((l) => l.id)).toEqual(['towns', 'villages', 'households'])
    expect(names.map((l) => l.id)).toEqual(['town-labels', 'grid-labels', 'village-labels'])
  })
})

import { describe, expect, it } from 'vitest'
import { orderPhotos } from './order-photos.ts'

describe('orderPhotos', () => {
  it('puts the report photos before and every handling step’s photos after, in order', () => {
    const h = [
      { action: 'create' as const, photoIds: [3, 4] },
      { action: 'dispatch' as const, photoIds: [] },
      { action: 'handle' as const, photoIds: [9] },
      { action: 'review' as const, photoIds: [] },
      { action: 'handle' as const, photoIds: [12, 9] },
    ]
    expect(orderPhotos(h)).toEqual({ before: [3, 4], after: [9, 12] })
    expect(orderPhotos([])).toEqual({ before: [], after: [] })
  })
})

import { describe, expect, it } from 'vitest'
import { affairsHref, parseRoute } from './route.ts'

describe("the residents' page routes", () => {
  it('opens 公开 with or without a village, and a link to a village leads back to it', () => {
    expect(parseRoute('#/gk')).toEqual({ page: 'affairs', villageId: null })
    expect(parseRoute('#/gk/12')).toEqual({ page: 'affairs', villageId: 12 })
    expect(parseRoute(affairsHref(12))).toEqual({ page: 'affairs', villageId: 12 })
    expect(parseRoute(affairsHref(null))).toEqual({ page: 'affairs', villageId: null })
  })
  it('takes anything else for the report page, as before', () => {
    for (const hash of ['#/gk/0', '#/gk/x', '#/gk/12/3', '#/gkx', '']) expect(parseRoute(hash), hash).toEqual({ page: 'report' })
    expect(parseRoute('#/q')).toEqual({ page: 'lookup' })
  })
})

import { describe, expect, it } from 'vitest'
import { ApiError } from '../shared/api.ts'
import { residentError } from './labels.ts'

describe("a resident's refusals", () => {
  it('tell a used-up day of photos from a request count, by code', () => {
    const budget = residentError(new ApiError(429, 'this address has stored its 100 MB of photos for the day; retry in 5 hours', undefined, 'upload_budget'))
    expect(budget.text).toMatch(/明天/)
    expect(residentError(new ApiError(429, 'Rate limit exceeded, retry in 1 hour', undefined, 'rate_limited')).text).toBe('提交太频繁了，请稍后再试')
  })
})

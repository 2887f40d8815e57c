import { describe, expect, it } from 'vitest'
import { ApiError } from '../shared/api.ts'
import { residentError } from './labels.ts'

describe("a resident's refusals", () => {
  it('tell a used-up day of photos from a request count, by code', () => {
    const budget = residentError(new ApiError(429, 'this address has stored its 100 MB of photos for the day; retry in 5 hours', undefined, 'upload_budget'))
    expect(budget.text).toMatch(/明天/)
    expect(residentError(new ApiError(429, 'Rate limit exceeded, retry in 1 hour', undefined, 'rate_limited')).text).toBe('提交太频繁了，请稍后再试')
  })
  it('are Chinese only: the server\'s English message never reaches a resident', () => {
    const cases = [
      new ApiError(404, 'report ABCDEFGHJK not found', undefined, 'report_not_found'),
      new ApiError(409, 'this report has been rated already', undefined, 'already_rated'),
      new ApiError(409, 'this report can be rated once it has been answered', undefined, 'not_answered'),
      new ApiError(400, 'body/description must NOT have fewer than 4 characters', undefined, 'invalid'),
      new ApiError(422, 'body/lon,lat (1, 2) is outside every grid of the township', undefined, 'rows_rejected'),
      new ApiError(500, 'Internal Server Error', undefined, 'internal'),
      new Error('Failed to fetch'),
    ]
    for (const err of cases) {
      const { text, detail } = residentError(err)
      expect(`${text}${detail}`, err.message).not.toMatch(/[a-z]{3,}/i)
    }
    expect(residentError(cases[1]).text).toBe('这条反映已经评价过了')
    expect(residentError(cases[2]).text).toMatch(/答复后才能评价/)
    expect(residentError(cases[3]).text).toMatch(/问题描述/)
  })
})

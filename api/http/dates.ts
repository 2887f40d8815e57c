import { Type } from 'typebox'

/**
 * Dates every route accepts: a real calendar day (Ajv's `date` format refuses 2026-02-30 and
 * 0000-00-00) in the years 1900–2999. The year bound is ours: PostgreSQL has no year 0, a year
 * past 9999 does not fit the four digits the format allows, and a day near either end moved by
 * a time zone or a day's arithmetic (toISOString of 9999-12-31 + 1 day is "+010000-…") fails
 * in SQL — a 500 from input. Births, events, orders and tracks all lie well inside it.
 */
export const DATE_YEARS = { min: 1900, max: 2999 } as const
/** the pattern a date's or a date-time's year must match; formatSchemaErrors words its failure */
export const DATE_YEAR_PATTERN = '^(19[0-9]{2}|2[0-9]{3})-'

/** YYYY-MM-DD, a real day, 1900–2999 */
export const DateStr = (opts: { description?: string } = {}) =>
  Type.String({ format: 'date', pattern: DATE_YEAR_PATTERN, description: opts.description ?? 'YYYY-MM-DD, 1900–2999' })

/** RFC 3339 date-time with an offset (2026-11-03T09:15:00+08:00), a real day, 1900–2999 */
export const DateTimeStr = (opts: { description?: string } = {}) =>
  Type.String({ format: 'date-time', pattern: DATE_YEAR_PATTERN, ...(opts.description ? { description: opts.description } : {}) })

/** An instant parsed elsewhere (a file's cell, a device's fix) within the same years. */
export function instantInRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= Date.UTC(DATE_YEARS.min, 0, 1) && ms < Date.UTC(DATE_YEARS.max + 1, 0, 1)
}

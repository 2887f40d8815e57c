import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import { DATE_YEARS, DATE_YEAR_PATTERN } from './dates.ts'

const FORMATS: Record<string, string> = {
  date: 'must be a real calendar date, YYYY-MM-DD',
  'date-time': 'must be a real date and time with an offset, like 2026-11-03T09:15:00+08:00',
}

/**
 * One message naming the offending field, e.g. "querystring/grid must be integer" or
 * "querystring/foo is not an accepted parameter": Ajv's own wording for unknown
 * properties ("must NOT have additional properties") does not say which one.
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const e = errors[0]
  const path = dataVar + (e?.instancePath ?? '')
  let message: string
  if (e?.keyword === 'additionalProperties') {
    message = `${path}/${(e.params as { additionalProperty?: string }).additionalProperty} is not an accepted parameter`
  } else if (e?.keyword === 'required') {
    message = `${path}/${(e.params as { missingProperty?: string }).missingProperty} is required`
  } else if (e?.keyword === 'enum') {
    message = `${path} must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`
  } else if (e?.keyword === 'pattern' && (e.params as { pattern?: string }).pattern === DATE_YEAR_PATTERN) {
    message = `${path} must be a date in the years ${DATE_YEARS.min}–${DATE_YEARS.max}`
  } else if (e?.keyword === 'format' && FORMATS[(e.params as { format?: string }).format ?? '']) {
    message = `${path} ${FORMATS[(e.params as { format: string }).format]}`
  } else if (e?.keyword === 'anyOf' || e?.keyword === 'const') {
    message = `${path} has an unaccepted value`
  } else {
    message = `${path} ${e?.message ?? 'is invalid'}`
  }
  const err = new Error(message) as Error & { statusCode: number }
  err.statusCode = 400
  return err
}

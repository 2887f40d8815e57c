import type { FastifySchemaValidationError } from 'fastify/types/schema.js'

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
  } else if (e?.keyword === 'anyOf' || e?.keyword === 'const') {
    message = `${path} has an unaccepted value`
  } else {
    message = `${path} ${e?.message ?? 'is invalid'}`
  }
  const err = new Error(message) as Error & { statusCode: number }
  err.statusCode = 400
  return err
}

import type { FastifyInstance } from 'fastify'
import { HttpError } from './errors.ts'

/**
 * Ajv's type coercion turns "1e309" into Infinity and lets it through an integer schema
 * with a maximum (seen with strictNumbers on, too); the fuzz test found the 500 it then
 * caused in SQL. After validation, any non-finite number in params or querystring is a 400
 * naming the field.
 */
export function rejectNonFiniteNumbers(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => {
    for (const [part, values] of [['params', req.params], ['querystring', req.query]] as const) {
      if (!values || typeof values !== 'object') continue
      for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
        if (typeof value === 'number' && !Number.isFinite(value)) throw new HttpError(400, `${part}/${key} must be a finite number`)
      }
    }
  })
}

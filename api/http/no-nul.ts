import type { FastifyInstance } from 'fastify'
import { HttpError } from './errors.ts'

/** the deepest a parsed body is walked; deeper is refused (no schema of ours nests past a few) */
const MAX_DEPTH = 64

/**
 * PostgreSQL cannot store U+0000 in text or jsonb ("invalid byte sequence", "unsupported Unicode
 * escape sequence"), so a NUL anywhere in what a request says failed in SQL as a 500. Before
 * any schema or handler sees the request, every string of its JSON body, querystring and path
 * parameters — keys too — is looked at once, and a NUL is a 400 naming its field. Walked with
 * a stack, not recursion, so a deeply nested body cannot overflow it.
 */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      const problem = nulProblem(value, part)
      if (problem) throw new HttpError(400, problem)
    }
  })
}

/** what is wrong with a parsed value: a field holding a NUL (its path named), or a nesting too deep; null when nothing */
export function nulProblem(root: unknown, part: string): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: part, depth: 0 }]
  while (stack.length) {
    const { value, path, depth } = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return `${path} must not contain a NUL character (U+0000)`
      continue
    }
    // a photo's or a file's bytes are binary by nature, and never stored as text
    if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) continue
    if (depth >= MAX_DEPTH) return `${path} is nested more than ${MAX_DEPTH} levels deep`
    const entries = Object.entries(value)
    // pushed last to first, so the first offending field in the document is the one named
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i]
      if (key.includes('\u0000')) return `${path}/${JSON.stringify(key).slice(1, -1)} must not contain a NUL character (U+0000)`
      stack.push({ value: v, path: `${path}/${key}`, depth: depth + 1 })
    }
  }
  return null
}

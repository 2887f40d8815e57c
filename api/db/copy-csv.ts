// Fixture rows (NDJSON objects keyed by column) as CSV lines for COPY. Written here rather than
// with csv-stringify (not a dependency): every field is quoted the same way, and the one
// conversion that needs the column's type, an integer array to '{1,2}', is ours either way.

export interface CopyColumn {
  name: string
  /** udt_name: '_int4' for integer[], 'jsonb', 'geometry', … */
  type: string
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`

function field(v: unknown, type: string): string {
  if (v === null || v === undefined) return '' // an unquoted empty field is NULL
  if (typeof v === 'string') return quote(v)
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 't' : 'f'
  if (Array.isArray(v) && type.startsWith('_')) return quote(`{${v.map((x) => (x === null ? 'NULL' : typeof x === 'string' ? quote(x).replaceAll('\\', '\\\\') : String(x))).join(',')}}`)
  return quote(JSON.stringify(v))
}

/** One CSV line per row, the columns in the order given; a key the row lacks is NULL. */
export function csvLines(rows: Record<string, unknown>[], columns: CopyColumn[]): string {
  let out = ''
  for (const row of rows) out += columns.map((c) => field(row[c.name], c.type)).join(',') + '\n'
  return out
}

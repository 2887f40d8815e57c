// Column headings of the spreadsheets other offices hand over (公安's 标准地址 and 户籍 lists):
// each field answers to its usual Chinese names, so a file is taken as it comes.

export interface ColumnSpec {
  key: string
  /** the headings it answers to; the first is the one messages name */
  names: readonly string[]
  required?: boolean
}

export interface Located {
  /** the column of each field found */
  at: Record<string, number>
  /** headings of required fields that are missing (by their first name) */
  missing: string[]
  /** headings that name no field, in file order (reported, not read) */
  unknown: { index: number; name: string }[]
  /** a field named by two columns */
  twice: string[]
}

/** A heading as people type it: blanks, a required marker (*户号) and full-width brackets do not count. */
export const heading = (h: string) => h.replace(/[\s*＊]/g, '').replace(/（/g, '(').replace(/）/g, ')')

export function locateColumns(header: string[], specs: readonly ColumnSpec[]): Located {
  const byName = new Map<string, string>()
  for (const s of specs) for (const n of s.names) byName.set(heading(n).toLowerCase(), s.key)
  const out: Located = { at: {}, missing: [], unknown: [], twice: [] }
  header.forEach((h, index) => {
    const name = heading(h)
    if (!name) return
    const key = byName.get(name.toLowerCase())
    if (!key) out.unknown.push({ index, name })
    else if (key in out.at) out.twice.push(specs.find((s) => s.key === key)!.names[0])
    else out.at[key] = index
  })
  for (const s of specs) if (s.required && !(s.key in out.at)) out.missing.push(s.names[0])
  return out
}

/** rows per database statement of a check (one round trip for that many) */
export const SLICE = 5_000
export const yieldNow = () => new Promise<void>((r) => setImmediate(r))

/**
 * A clock for work done row by row: true once `ms` have passed since the last yield, so the loop
 * gives the event loop back that often however busy the machine is (a count of rows would hold
 * it 30 ms on a quiet machine and 200 ms on a loaded one).
 */
export function turnsEvery(ms = 20): () => boolean {
  let since = performance.now()
  return () => {
    if (performance.now() - since < ms) return false
    since = performance.now()
    return true
  }
}

/** The file's name from X-File-Name (URI-encoded), only a label: a malformed one is "upload". */
export function fileNameOf(header: string | undefined): string {
  try {
    return decodeURIComponent(header ?? 'upload').slice(0, 200) || 'upload'
  } catch {
    return 'upload'
  }
}

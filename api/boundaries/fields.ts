import type { DbfValue } from './dbf.ts'

/**
 * Which attribute says a unit's name, code, village and kind. 三调 village files use
 * XZQDM/XZQMC (行政区代码/名称) or CJQYDM/CJQYMC (村级区域); townships' own grid files whatever
 * their GIS operator typed. The first field present, in this order, wins; a request may name its
 * own (nameField, codeField, villageField).
 */
export type BoundaryLevel = 'village' | 'grid'

const CANDIDATES: Record<BoundaryLevel, Record<'name' | 'code' | 'village' | 'kind', string[]>> = {
  village: {
    name: ['村名', '村名称', '村级名称', '村居名称', '村(社区)', 'CJQYMC', 'XZQMC', 'CUNMC', '名称', 'NAME', 'MC', '村'],
    code: ['村代码', '村编码', '村级代码', 'CJQYDM', 'XZQDM', 'CUNDM', '代码', '编码', 'CODE', 'DM', 'BM'],
    village: [],
    kind: [],
  },
  grid: {
    name: ['网格名称', '网格名', '网格', 'WGMC', '名称', 'NAME', 'MC'],
    code: ['网格编码', '网格代码', '网格编号', 'WGBM', 'WGDM', 'WGBH', '编码', '代码', 'CODE', 'BM', 'DM'],
    village: ['所属村', '所属村居', '所属社区', '村名', '村名称', '村', '村编码', '村代码', 'CJQYMC', 'CJQYDM', 'XZQMC', 'XZQDM', 'VILLAGE'],
    kind: ['网格类型', '类型', '类别', 'WGLX', 'KIND', 'TYPE'],
  },
}

export interface FieldChoice {
  name: string
  code: string | null
  village: string | null
  kind: string | null
}

/** The fields to read, or what is missing. Field names compare without case and spaces. */
export function chooseFields(
  level: BoundaryLevel, fields: string[], given: { nameField?: string; codeField?: string; villageField?: string },
): FieldChoice | { problem: string } {
  const norm = (s: string) => s.replace(/\s+/g, '').toUpperCase()
  const byNorm = new Map(fields.map((f) => [norm(f), f]))
  const find = (list: string[]) => list.map((c) => byNorm.get(norm(c))).find((f) => f !== undefined) ?? null
  const named = (param: string, value: string | undefined) => {
    if (value === undefined) return undefined
    const f = byNorm.get(norm(value))
    if (!f) return { problem: `querystring/${param} ${value} is not a field of this file (its fields: ${fields.join(', ') || 'none'})` }
    return f
  }
  const c = CANDIDATES[level]
  const name = named('nameField', given.nameField) ?? find(c.name)
  const code = named('codeField', given.codeField) ?? find(c.code)
  const village = level === 'grid' ? (named('villageField', given.villageField) ?? find(c.village)) : null
  for (const x of [name, code, village]) if (x && typeof x === 'object') return x
  if (!name) return { problem: `no field names the ${level === 'village' ? 'villages' : 'grids'} (looked for ${c.name.slice(0, 6).join(', ')} …; its fields: ${fields.join(', ') || 'none'}): give nameField` }
  // the village field must not be the grid's own name or code field
  const v = village === name || village === code ? null : village
  return { name: name as string, code: code as string | null, village: v as string | null, kind: level === 'grid' ? find(c.kind) : null }
}

export const text = (v: DbfValue | undefined): string => (v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(v)) : String(v)).trim()

/** 专属网格 (school, hospital, park, market) or 基础网格, from a kind field's words. */
export function kindOf(v: DbfValue | undefined, fallback: 'base' | 'exclusive'): 'base' | 'exclusive' | null {
  const t = text(v)
  if (!t) return fallback
  if (/专属|exclusive/i.test(t)) return 'exclusive'
  if (/基础|base|普通/i.test(t)) return 'base'
  return null
}

import { isUtf8 } from 'node:buffer'
import iconv from 'iconv-lite'
import { unreadable } from '../imports/limits.ts'

/**
 * A Shapefile's attribute table (dBASE III/IV). Written here: the one maintained reader in the
 * ecosystem (shpjs) decodes text only by a .cpg, and the 2018 `shapefile` package knows neither
 * the language byte nor GBK; the format is a fixed header, 32-byte field descriptors and
 * fixed-width records, which is less code than adapting either.
 */

export type DbfValue = string | number | boolean | null

export interface DbfTable {
  fields: string[]
  rows: Record<string, DbfValue>[]
  /** what the text was read as, and how that was decided */
  encoding: { name: TextEncodingName; from: 'cpg' | 'ldid' | 'detected' }
}

export type TextEncodingName = 'utf-8' | 'gbk' | 'gb18030' | 'big5'

/** .cpg contents seen in the wild (ArcGIS writes "UTF-8" or a code page number; QGIS "System" or a name) */
const CPG: Record<string, TextEncodingName> = {
  'utf-8': 'utf-8', utf8: 'utf-8', '65001': 'utf-8',
  '936': 'gbk', cp936: 'gbk', gbk: 'gbk', gb2312: 'gbk', 'ms936': 'gbk', 'windows-936': 'gbk',
  gb18030: 'gb18030', '54936': 'gb18030',
  '950': 'big5', cp950: 'big5', big5: 'big5',
}

/**
 * The dBASE language driver byte (offset 29) as ArcGIS writes it: 0x4D and 0x7A are code page
 * 936 (GBK), 0x4F and 0x78 950 (Big5). 0x57 means "the writer's ANSI code page", which on a
 * Chinese Windows is 936 too but says nothing for sure, and 0 means none: both are detected.
 */
const LDID: Record<number, TextEncodingName> = { 0x4d: 'gbk', 0x7a: 'gbk', 0x4f: 'big5', 0x78: 'big5' }

interface Field {
  name: Buffer
  type: string
  length: number
  decimals: number
}

export interface DbfLimits {
  maxRecords: number
  maxFields: number
}

/**
 * Reads every record; text columns are decoded as the .cpg says, else as the language byte says,
 * else as UTF-8 when every text byte of the file is valid UTF-8, else as GB18030 (a superset of
 * the GBK and GB2312 that Chinese GIS offices write without a .cpg).
 */
export function readDbf(data: Buffer, cpg: string | undefined, limits: DbfLimits): DbfTable {
  if (data.length < 32) throw unreadable('has a .dbf shorter than its header')
  const count = data.readUInt32LE(4)
  const headerLength = data.readUInt16LE(8)
  const recordLength = data.readUInt16LE(10)
  const ldid = data[29]
  if (count > limits.maxRecords) throw unreadable(`has ${count} records in its .dbf; the limit is ${limits.maxRecords}`)
  const fields: Field[] = []
  for (let at = 32; at + 32 <= headerLength && data[at] !== 0x0d; at += 32) {
    if (fields.length >= limits.maxFields) throw unreadable(`has more than ${limits.maxFields} .dbf fields`)
    const raw = data.subarray(at, at + 11)
    const end = raw.indexOf(0)
    fields.push({ name: raw.subarray(0, end < 0 ? 11 : end), type: String.fromCharCode(data[at + 11]), length: data[at + 16], decimals: data[at + 17] })
  }
  if (!fields.length) throw unreadable('has a .dbf without fields')
  const width = 1 + fields.reduce((s, f) => s + f.length, 0)
  if (recordLength < width || headerLength + count * recordLength > data.length + recordLength) {
    throw unreadable('has a damaged .dbf (its records do not fit the file)')
  }

  // every byte that will be read as text, for the detection
  const textSlices = (): Buffer[] => {
    const out: Buffer[] = fields.map((f) => f.name)
    for (let i = 0; i < count; i++) {
      let at = headerLength + i * recordLength + 1
      for (const f of fields) {
        if (f.type === 'C') out.push(data.subarray(at, Math.min(at + f.length, data.length)))
        at += f.length
      }
    }
    return out
  }
  const encoding = chooseEncoding(cpg, ldid, textSlices)
  const decode = (b: Buffer) => (encoding.name === 'utf-8' ? b.toString('utf8') : iconv.decode(b, encoding.name))
  const names = fields.map((f) => decode(f.name).trim())

  const rows: Record<string, DbfValue>[] = []
  for (let i = 0; i < count; i++) {
    const start = headerLength + i * recordLength
    if (start >= data.length || data[start] === 0x1a) break
    if (data[start] === 0x2a) continue // deleted
    const row: Record<string, DbfValue> = {}
    let at = start + 1
    fields.forEach((f, j) => {
      const cell = data.subarray(at, Math.min(at + f.length, data.length))
      at += f.length
      row[names[j]] = value(f, cell, decode)
    })
    rows.push(row)
  }
  return { fields: names, rows, encoding }
}

function value(f: Field, cell: Buffer, decode: (b: Buffer) => string): DbfValue {
  switch (f.type) {
    case 'C': {
      // trailing blanks pad the width; a NUL ends the text where some writers stop
      const nul = cell.indexOf(0)
      const text = decode(nul < 0 ? cell : cell.subarray(0, nul)).replace(/[\s\u0000]+$/u, '').replace(/^\s+/u, '')
      return text === '' ? null : text
    }
    case 'N':
    case 'F': {
      const text = cell.toString('latin1').trim()
      if (text === '' || /^\*+$/.test(text)) return null
      const x = Number(text)
      return Number.isFinite(x) ? x : null
    }
    case 'L': {
      const c = cell.toString('latin1').trim().toUpperCase()
      return 'YT'.includes(c) && c ? true : 'NF'.includes(c) && c ? false : null
    }
    case 'D': {
      const t = cell.toString('latin1').trim()
      return /^\d{8}$/.test(t) ? `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}` : null
    }
    default:
      // memo pointers, binary and other types carry nothing a boundary needs
      return null
  }
}

export function chooseEncoding(cpg: string | undefined, ldid: number, text: () => Buffer[]): DbfTable['encoding'] {
  const named = cpg?.trim().toLowerCase().replace(/^ansi\s+/, '')
  if (named && CPG[named]) return { name: CPG[named], from: 'cpg' }
  if (LDID[ldid]) return { name: LDID[ldid], from: 'ldid' }
  // A cell cut at its field's width may end inside a UTF-8 character, so a few invalid cells do
  // not make a UTF-8 file GBK; GBK text, on the other hand, is almost never valid UTF-8.
  const wide = text().filter((b) => b.some((x) => x >= 0x80))
  const valid = wide.filter((b) => isUtf8(b)).length
  if (valid >= wide.length * 0.9) return { name: 'utf-8', from: 'detected' }
  return { name: 'gb18030', from: 'detected' }
}

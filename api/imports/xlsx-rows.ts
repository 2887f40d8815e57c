import { Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import { inflateEntry, readZipDirectory, type InflateBudget, type ZipEntry } from './zip.ts'
import { n, overLimit, unreadable, type TableLimits } from './limits.ts'

const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/

/**
 * The first sheet's rows as text, through exceljs's streaming reader. exceljs never sees the
 * upload itself: it is given a zip we rebuild of stored (uncompressed) entries, inflated by
 * inflateEntry under the declared sizes and the byte budget, of only the parts a sheet needs —
 * relationships, workbook, shared strings and styles first, so exceljs never parks a sheet in a
 * temporary file while waiting for the shared strings, then the first sheet. Bytes are inflated
 * only as exceljs pulls them, and the rows stop at the row limit.
 */
export async function* xlsxRows(zip: Buffer, limits: TableLimits): AsyncGenerator<string[]> {
  // an empty part counts as missing: exceljs would wait for it, parking the sheet in a temporary file
  const entries = readZipDirectory(zip, limits).filter((e) => e.size > 0)
  const byName = new Map(entries.map((e) => [e.name, e]))
  const sheet = entries
    .filter((e) => SHEET.test(e.name))
    .sort((a, b) => Number(SHEET.exec(a.name)![1]) - Number(SHEET.exec(b.name)![1]))[0]
  const rels = byName.get('xl/_rels/workbook.xml.rels')
  const workbook = byName.get('xl/workbook.xml')
  if (!sheet || !rels || !workbook) throw unreadable('is a zip but not an XLSX workbook (no xl/workbook.xml, its relationships or a sheet)')
  const parts = [rels, workbook, byName.get('xl/sharedStrings.xml') ?? EMPTY_SHARED_STRINGS, byName.get('xl/styles.xml'), sheet]

  const budget: InflateBudget = { left: limits.maxInflatedBytes }
  const source = Readable.from(storedZip(zip, parts, budget, limits))
  // exceljs pipes the source into unzipper, and a pipe does not pass errors on: a limit thrown
  // while inflating would leave exceljs waiting for bytes, so each row is raced against it
  const failed = new Promise<never>((_, reject) => source.once('error', reject))
  failed.catch(() => {})
  const rows = sheetRows(source, limits)[Symbol.asyncIterator]()
  for (;;) {
    const next = await Promise.race([rows.next(), failed])
    if (next.done) return
    yield next.value
  }
}

async function* sheetRows(source: Readable, limits: TableLimits): AsyncGenerator<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    // styles tell a date from a number
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  })
  let lines = 0
  let dataRows = -1
  let text = 0
  for await (const worksheet of reader) {
    for await (const row of worksheet) {
      if (++lines > limits.maxLines) throw overLimit(`has more than ${n(limits.maxLines)} rows, empty ones included (maxLines)`)
      const values = row.values as unknown[]
      if (values.length - 1 > limits.maxColumns) throw overLimit(`row ${row.number} has more than ${n(limits.maxColumns)} columns (maxColumns)`)
      const cells: string[] = []
      let bytes = 0
      for (let i = 1; i < values.length; i++) {
        const cell = cellText(values[i])
        bytes += Buffer.byteLength(cell)
        cells.push(cell)
      }
      if (bytes > limits.maxRecordBytes) throw overLimit(`row ${row.number} holds more than ${n(limits.maxRecordBytes)} bytes of text (maxRecordBytes)`)
      if (!cells.some((c) => c !== '')) continue
      if (++dataRows > limits.maxRows) throw overLimit(`has more than ${n(limits.maxRows)} rows (maxRows)`)
      text += bytes
      if (text > limits.maxTextBytes) throw overLimit(`holds more than ${n(limits.maxTextBytes)} bytes of text (maxTextBytes)`)
      yield cells
    }
    // the first sheet only
    break
  }
}

/** a workbook whose strings are all inline has no shared strings part; exceljs waits for one */
const EMPTY_SHARED_STRINGS = { name: 'xl/sharedStrings.xml', content: Buffer.from('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>') }
type Part = ZipEntry | { name: string; content: Buffer } | undefined

async function* storedZip(zip: Buffer, parts: Part[], budget: InflateBudget, limits: TableLimits): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (!part) continue
    if ('content' in part) {
      yield localHeader(part.name, part.content.length)
      yield part.content
    } else {
      // inflateEntry yields exactly part.size bytes or throws, so this header tells the truth
      yield localHeader(part.name, part.size)
      yield* inflateEntry(zip, part, budget, limits)
    }
  }
  // an end of central directory record with no entries: unzipper stops there
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  yield end
}

/** a stored entry's local header; unzipper reads the sizes from it and checks no CRC */
function localHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name)
  const h = Buffer.alloc(30)
  h.writeUInt32LE(0x04034b50, 0)
  h.writeUInt16LE(20, 4)
  h.writeUInt16LE(0x0800, 6) // UTF-8 name
  h.writeUInt16LE(0, 8) // stored
  h.writeUInt32LE(size, 18)
  h.writeUInt32LE(size, 22)
  h.writeUInt16LE(nameBytes.length, 26)
  return Buffer.concat([h, nameBytes])
}

/** A cell as the text a person sees in it. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  // Excel stores a cell's wall-clock time as if it were UTC
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString().slice(0, 19).replace('T', ' ') : ''
  if (typeof v === 'object') {
    const o = v as { richText?: { text?: unknown }[]; text?: unknown; result?: unknown; error?: unknown }
    if (Array.isArray(o.richText)) return o.richText.map((r) => String(r.text ?? '')).join('').trim()
    if (o.text !== undefined) return String(o.text).trim()
    if ('result' in o) return cellText(o.result)
    if (o.error !== undefined) return String(o.error)
    return ''
  }
  return String(v).trim()
}

// Zips and XLSX files built by hand for the import tests: honest ones, bombs, and liars.
import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib'

export interface FixtureEntry {
  name: string
  /** the bytes, deflated here */
  data?: Buffer
  /** or bytes deflated already (a bomb streamed through deflate) */
  deflated?: { compressed: Buffer; size: number; crc: number }
  /** what the central directory says the entry inflates to, when it should lie */
  declaredSize?: number
}

/** A zip of deflated entries, with a central directory that says what each entry declares. */
export function zipOf(entries: FixtureEntry[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const d = e.deflated ?? { compressed: deflateRawSync(e.data!), size: e.data!.length, crc: crc32(e.data!) }
    const size = e.declaredSize ?? d.size
    const name = Buffer.from(e.name)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(d.crc, 14)
    local.writeUInt32LE(d.compressed.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const dir = Buffer.alloc(46)
    dir.writeUInt32LE(0x02014b50, 0)
    dir.writeUInt16LE(20, 4)
    dir.writeUInt16LE(20, 6)
    dir.writeUInt16LE(0x0800, 8)
    dir.writeUInt16LE(8, 10)
    dir.writeUInt32LE(d.crc, 16)
    dir.writeUInt32LE(d.compressed.length, 20)
    dir.writeUInt32LE(size, 24)
    dir.writeUInt16LE(name.length, 28)
    dir.writeUInt32LE(offset, 42)
    locals.push(local, name, d.compressed)
    central.push(dir, name)
    offset += 30 + name.length + d.compressed.length
  }
  const dirBytes = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(dirBytes.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dirBytes, end])
}

/**
 * head + pattern × times + tail, deflated as a stream: the inflated text (hundreds of
 * megabytes for a bomb) is never held in memory, only the compressed bytes are.
 */
export async function deflatePattern(head: string, pattern: string, times: number, tail: string): Promise<{ compressed: Buffer; size: number; crc: number }> {
  const deflate = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION, memLevel: 9 })
  const out: Buffer[] = []
  deflate.on('data', (b: Buffer) => out.push(b))
  const ended = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject))
  // a block of many patterns per write keeps the number of writes (and crc calls) small
  const per = Math.max(1, Math.floor((1 << 20) / Buffer.byteLength(pattern)))
  const block = Buffer.from(pattern.repeat(per))
  let size = 0
  let crc = 0
  const write = async (b: Buffer) => {
    size += b.length
    crc = crc32(b, crc)
    if (!deflate.write(b)) await new Promise((r) => deflate.once('drain', r))
  }
  await write(Buffer.from(head))
  for (let left = times; left > 0; left -= per) await write(left >= per ? block : Buffer.from(pattern.repeat(left)))
  await write(Buffer.from(tail))
  deflate.end()
  await ended
  return { compressed: Buffer.concat(out), size, crc }
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}"><sheetData>`
export const SHEET_TAIL = '</sheetData></worksheet>'

/** The parts every workbook has, around the sheet (and shared strings) given. */
export function xlsxOf(sheet: Omit<FixtureEntry, 'name'>, more: FixtureEntry[] = []): Buffer {
  const text = (name: string, s: string): FixtureEntry => ({ name, data: Buffer.from(s) })
  return zipOf([
    text('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`),
    text('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    text('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    text('xl/_rels/workbook.xml.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`),
    ...more,
    { name: 'xl/worksheets/sheet1.xml', ...sheet },
  ])
}

/** A sheet of inline-string rows, as XML. */
export const sheetXml = (rows: string[][]) =>
  SHEET_HEAD +
  rows.map((cells, r) => `<row r="${r + 1}">${cells.map((c, i) => `<c r="${String.fromCharCode(65 + i)}${r + 1}" t="inlineStr"><is><t>${c}</t></is></c>`).join('')}</row>`).join('') +
  SHEET_TAIL

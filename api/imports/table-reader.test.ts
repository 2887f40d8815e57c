import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { createTableReader, type TableKind } from './table-reader.ts'
import type { TableLimits } from './limits.ts'
import { deflatePattern, SHEET_HEAD, SHEET_TAIL, sheetXml, xlsxOf, zipOf } from './zip-fixtures.ts'

const reader = createTableReader({ maxParallel: 2, maxWaiting: 16 })

/** the status and message a read is refused with, and how long the refusal took */
async function refusal(data: Buffer, kind: TableKind, limits: Partial<TableLimits> = {}) {
  const started = performance.now()
  const err = (await reader.read(data, kind, limits).then(
    () => { throw new Error('the read was expected to be refused') },
    (e: unknown) => e,
  )) as { statusCode?: number; message: string }
  return { status: err.statusCode, message: err.message, ms: performance.now() - started }
}

describe('table reader: what it reads', () => {
  it('reads CSV in UTF-8 with a BOM and in the GBK that Excel writes; blank lines are skipped', async () => {
    expect(await reader.read(Buffer.from('\uFEFF身份证号,数据项,值\r\n\r\n110101199001011234, 低保 ,是\r\n'), 'csv')).toEqual({
      header: ['身份证号', '数据项', '值'],
      rows: [['110101199001011234', '低保', '是']],
    })
    expect(await reader.read(iconv.encode('身份证号,数据项,值\r\n1,"残疾,二级",是', 'gbk'), 'csv')).toEqual({
      header: ['身份证号', '数据项', '值'],
      rows: [['1', '残疾,二级', '是']],
    })
  })

  it('reads the first sheet of an XLSX as text: shared strings, numbers, dates, rich text, formulas', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('数据')
    book.addWorksheet('second').addRow(['not read'])
    sheet.addRow(['身份证号', '数据项', '值'])
    sheet.addRow(['110101199001011234', { richText: [{ text: '低' }, { text: '保' }] }, 12.5])
    sheet.addRow([])
    sheet.addRow(['2', new Date(Date.UTC(2026, 10, 5, 10, 0)), { formula: '1+1', result: 2 }])
    expect(await reader.read(Buffer.from(await book.xlsx.writeBuffer()), 'xlsx')).toEqual({
      header: ['身份证号', '数据项', '值'],
      rows: [['110101199001011234', '低保', '12.5'], ['2', '2026-11-05 10:00:00', '2']],
    })
    // inline strings only, no shared strings part at all
    const inline = xlsxOf({ data: Buffer.from(sheetXml([['a', 'b'], ['1', '2']])) })
    expect(await reader.read(inline, 'xlsx')).toEqual({ header: ['a', 'b'], rows: [['1', '2']] })
  })
})

describe('table reader: zips are checked before they are inflated', () => {
  it('refuses a zip bomb from its central directory, at once', async () => {
    const bomb = xlsxOf({ deflated: await deflatePattern(SHEET_HEAD, '<row><c><v>1</v></c></row>', 1_000_000, SHEET_TAIL) })
    expect(bomb.length).toBeLessThan(100_000)
    const ratio = await refusal(bomb, 'xlsx')
    expect(ratio).toMatchObject({ status: 413, message: expect.stringMatching(/sheet1\.xml would inflate .* more than 100 times \(maxInflateRatio\)/) })
    // no worker was started for it
    expect(ratio.ms).toBeLessThan(50)
    const total = await refusal(bomb, 'xlsx', { maxInflateRatio: 1e9, maxInflatedBytes: 1_000_000 })
    expect(total).toMatchObject({ status: 413, message: expect.stringMatching(/declares more than 1,000,000 bytes uncompressed \(maxInflatedBytes/) })
    const many = zipOf(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.xml`, data: Buffer.from('x') })))
    expect(await refusal(many, 'xlsx', { maxZipEntries: 10 })).toMatchObject({ status: 413, message: 'holds 20 zip entries; the limit is 10 (maxZipEntries)' })
  })

  it('stops an entry that inflates past the size it declares (forged sizes) before it inflates much more', async () => {
    const big = await deflatePattern(SHEET_HEAD, '<row><c t="inlineStr"><is><t>x</t></is></c></row>', 2_000_000, SHEET_TAIL)
    expect(big.size).toBeGreaterThan(80_000_000)
    const liar = xlsxOf({ deflated: big, declaredSize: 40_000 })
    const r = await refusal(liar, 'xlsx')
    expect(r).toMatchObject({ status: 413, message: expect.stringMatching(/sheet1\.xml inflates to more than the 40,000 bytes its zip directory declares: stopped at [\d,]+ inflated bytes/) })
    const stoppedAt = Number(/stopped at ([\d,]+)/.exec(r.message)![1].replaceAll(',', ''))
    expect(stoppedAt).toBeLessThan(40_000 + 128 * 1024)
    // a declared size short of the truth is damage, not a bomb
    expect(await refusal(xlsxOf({ data: Buffer.from(sheetXml([['a']])), declaredSize: 5000 }), 'xlsx')).toMatchObject({ status: 400, message: expect.stringMatching(/damaged zip/) })
  })

  it('says what is wrong with a file that is no XLSX', async () => {
    expect(await refusal(Buffer.from('hello'), 'xlsx')).toMatchObject({ status: 400, message: expect.stringMatching(/not a zip archive/) })
    expect(await refusal(zipOf([{ name: 'a.txt', data: Buffer.from('x') }]), 'xlsx')).toMatchObject({ status: 400, message: expect.stringMatching(/not an XLSX workbook/) })
    expect(await refusal(xlsxOf({ data: Buffer.from(SHEET_HEAD + '<row><c></row>') }), 'xlsx')).toMatchObject({ status: 400, message: expect.stringMatching(/not a readable XLSX/) })
  })
})

describe('table reader: rows, records and bytes are limited', () => {
  it('refuses a CSV with a giant record, an unclosed quote, too many lines, rows or columns', async () => {
    const giant = await refusal(Buffer.from(`a,b\n1,${'x'.repeat(2_000_000)}\n`), 'csv')
    expect(giant).toMatchObject({ status: 413, message: 'line 2 holds a record longer than 65,536 bytes (maxRecordBytes)' })
    expect(await refusal(Buffer.from(`a,b\n1,"${'never closed\n'.repeat(100_000)}`), 'csv')).toMatchObject({ status: 413, message: expect.stringMatching(/maxRecordBytes/) })
    expect(await refusal(Buffer.from('a\n' + '\n'.repeat(300_000)), 'csv')).toMatchObject({ status: 413, message: 'has more than 200,000 lines (maxLines)' })
    expect(await refusal(Buffer.from('a\n' + '1\n'.repeat(20_001)), 'csv')).toMatchObject({ status: 413, message: 'has more than 20,000 rows (maxRows)' })
    expect((await reader.read(Buffer.from('a\n' + '1\n'.repeat(20_000)), 'csv')).rows).toHaveLength(20_000)
    expect(await refusal(Buffer.from('a,b,c,d,e\n'), 'csv', { maxColumns: 4 })).toMatchObject({ status: 413, message: 'line 1 has more than 4 columns (maxColumns)' })
    expect(await refusal(Buffer.from('"a\n'), 'csv')).toMatchObject({ status: 400, message: expect.stringMatching(/not a readable CSV/) })
  })

  it('refuses an XLSX with too many rows or columns, or one text repeated past the text limit', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => [String(i), 'x'])
    expect(await refusal(xlsxOf({ data: Buffer.from(sheetXml(rows)) }), 'xlsx', { maxRows: 10 })).toMatchObject({ status: 413, message: 'has more than 10 rows (maxRows)' })
    expect(await refusal(xlsxOf({ data: Buffer.from(sheetXml([['a', 'b', 'c', 'd', 'e']])) }), 'xlsx', { maxColumns: 4 })).toMatchObject({
      status: 413, message: 'row 1 has more than 4 columns (maxColumns)',
    })
    // one 60 kB shared string, cited by 2,000 cells: a small file that reads as 120 MB of text
    const shared = { name: 'xl/sharedStrings.xml', data: Buffer.from(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${'长'.repeat(20_000)}</t></si></sst>`) }
    const cited = xlsxOf({ deflated: await deflatePattern(SHEET_HEAD, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', 2_000, SHEET_TAIL) }, [shared])
    expect(await refusal(cited, 'xlsx')).toMatchObject({ status: 413, message: 'holds more than 41,943,040 bytes of text (maxTextBytes)' })
  })
})

describe('table reader: the worker is bounded', () => {
  it('ends a parse that outgrows its heap or its time', async () => {
    // 600,000 shared strings of 100 characters each stay cached in the worker's heap
    const strings = await deflatePattern('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', `<si><t>${'x'.repeat(100)}</t></si>`, 600_000, '</sst>')
    const heavy = xlsxOf({ data: Buffer.from(sheetXml([['a']])) }, [{ name: 'xl/sharedStrings.xml', deflated: strings }])
    expect(await refusal(heavy, 'xlsx', { heapMb: 64, maxInflateRatio: 1e9, maxInflatedBytes: 200_000_000 })).toMatchObject({ status: 413, message: 'needs more than 64 MB of memory to read (heapMb)' })
    // the clock runs from when the worker starts reading (loading its reader is not the file's time): a file long enough to outlast it
    const long = Buffer.from('a\n' + '1\n'.repeat(90_000))
    expect(await refusal(long, 'csv', { timeoutMs: 1, maxRows: 100_000 })).toMatchObject({ status: 413, message: 'took more than 0.001 s to read (timeoutMs)' })
  })

  it('reads one file at a time and tells callers past the queue to come back later', async () => {
    const one = createTableReader({ maxParallel: 1, maxWaiting: 1 })
    const csv = Buffer.from('a\n1\n')
    const reads = [one.read(csv, 'csv'), one.read(csv, 'csv'), one.read(csv, 'csv')].map((p) => p.then(() => 200, (e: { statusCode: number }) => e.statusCode))
    expect(await Promise.all(reads)).toEqual([200, 200, 429])
    // the turns were handed on: the reader is free again
    expect((await one.read(csv, 'csv')).rows).toEqual([['1']])
  })

  it("queues per account and serves accounts in turn: one account sending files in a loop keeps no other out, and only it is told to wait", async () => {
    const fair = createTableReader({ maxParallel: 1, maxWaitingPerAccount: 1, maxWaiting: 8 })
    const csv = Buffer.from('a\n1\n')
    const finished: string[] = []
    const read = (who: string, label: string) => fair.read(csv, 'csv', {}, who).then(
      () => { finished.push(label); return 200 as const },
      (e: { statusCode: number; code: string }) => `${e.statusCode} ${e.code}`,
    )
    // sent in one tick, before the first parse can end: the queue decides, not the clock
    const a1 = read('dispatcher', 'a1')
    const a2 = read('dispatcher', 'a2')
    const sent = [a1, a2, read('dispatcher', 'a2-again'), read('dept-3', 'b1'), read('dept-4', 'c1')]
    // the looping account sends its next file as soon as one is read
    const a3 = a1.then(() => read('dispatcher', 'a3'))
    const a4 = a2.then(() => read('dispatcher', 'a4'))
    expect(await Promise.all([...sent, a3, a4])).toEqual([200, 200, '429 import_busy', 200, 200, '429 import_busy', 200])
    // the accounts that waited were read before the looping account's second file
    expect(finished).toEqual(['a1', 'b1', 'c1', 'a2', 'a4'])
  })
})

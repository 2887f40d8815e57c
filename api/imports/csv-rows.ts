import { isUtf8 } from 'node:buffer'
import { Readable } from 'node:stream'
import { CsvError, parse } from 'csv-parse'
import iconv from 'iconv-lite'
import { n, overLimit, unreadable, type TableLimits } from './limits.ts'

const CHUNK = 64 * 1024

/** Excel in China saves CSV as GBK unless told otherwise; a file that is valid UTF-8 is read as UTF-8. */
async function* decoded(data: Buffer): AsyncGenerator<Buffer | string> {
  if (isUtf8(data)) {
    for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK)
    return
  }
  const gbk = iconv.getDecoder('gbk')
  for (let at = 0; at < data.length; at += CHUNK) yield gbk.write(data.subarray(at, at + CHUNK))
  const rest = gbk.end()
  if (rest) yield rest
}

/**
 * A CSV's records, streamed through csv-parse: no record may be longer than maxRecordBytes
 * (csv-parse's max_record_size, which also stops an unclosed quote from swallowing the file),
 * and the file is refused past maxLines lines or maxRows records.
 */
export async function* csvRows(data: Buffer, limits: TableLimits): AsyncGenerator<string[]> {
  // info: each record comes with the line it ends on
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: limits.maxRecordBytes, info: true })
  const records = Readable.from(decoded(data)).pipe(parser)
  let count = 0
  let text = 0
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (info.lines > limits.maxLines) throw overLimit(`has more than ${n(limits.maxLines)} lines (maxLines)`)
      if (record.length > limits.maxColumns) throw overLimit(`line ${n(info.lines)} has more than ${n(limits.maxColumns)} columns (maxColumns)`)
      if (++count > limits.maxRows + 1) throw overLimit(`has more than ${n(limits.maxRows)} rows (maxRows)`)
      for (const cell of record) text += Buffer.byteLength(cell)
      if (text > limits.maxTextBytes) throw overLimit(`holds more than ${n(limits.maxTextBytes)} bytes of text (maxTextBytes)`)
      yield record
    }
    // blank lines make no record; they still count
    if (parser.info.lines > limits.maxLines) throw overLimit(`has more than ${n(limits.maxLines)} lines (maxLines)`)
  } catch (err) {
    if (!(err instanceof CsvError)) throw err
    if (err.code === 'CSV_MAX_RECORD_SIZE') {
      throw overLimit(`line ${n(parser.info.lines)} holds a record longer than ${n(limits.maxRecordBytes)} bytes (maxRecordBytes)`)
    }
    throw unreadable(`is not a readable CSV file: ${err.message}`)
  } finally {
    records.destroy()
  }
}

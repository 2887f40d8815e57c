import { HttpError } from '../http/errors.ts'

/**
 * How much of a stranger's table the API is willing to read. Every limit is checked where the
 * cost arises (the zip directory before anything is inflated, the inflater as it inflates, the
 * row reader as rows come), so a file is refused as soon as it is known to be too big.
 */
export interface TableLimits {
  /** the file itself */
  maxBytes: number
  /** data rows after the header */
  maxRows: number
  /** cells in one row (the header included) */
  maxColumns: number
  /** UTF-8 bytes of one row: csv-parse's max_record_size, and the sum of an XLSX row's cells */
  maxRecordBytes: number
  /** physical CSV lines, or XLSX <row> elements, empty ones included */
  maxLines: number
  /** UTF-8 bytes of all cells together: shared strings let a small XLSX repeat one long text */
  maxTextBytes: number
  /** XLSX: entries in the zip's central directory */
  maxZipEntries: number
  /** XLSX: bytes all entries declare, and bytes actually inflated (a declared size may lie) */
  maxInflatedBytes: number
  /** XLSX: uncompressed / compressed of one entry; Apache POI's zip-bomb guard refuses past 100 */
  maxInflateRatio: number
  /** XLSX: entries up to this size are not held to the ratio (a small run of blanks compresses well) */
  ratioGraceBytes: number
  /** the parsing worker's V8 heap (old generation); past it the worker is ended */
  heapMb: number
  /** wall clock for one parse, worker start included; past it the worker is ended */
  timeoutMs: number
}

export const DEFAULT_TABLE_LIMITS: Readonly<TableLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxRows: 20_000,
  maxColumns: 64,
  maxRecordBytes: 64 * 1024,
  maxLines: 200_000,
  maxTextBytes: 40 * 1024 * 1024,
  maxZipEntries: 500,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxInflateRatio: 100,
  ratioGraceBytes: 100 * 1024,
  heapMb: 160,
  timeoutMs: 15_000,
})

/** A table that cannot be read: 413 when it is over a limit (the message names it), 400 when it is damaged. */
export class TableError extends HttpError {}

export const overLimit = (message: string) => new TableError(413, message)
export const unreadable = (message: string) => new TableError(400, message)

/** 12,345,678: limits are easier to read with separators (not toLocaleString, whose first call loads ICU data for ~20 ms) */
export const n = (x: number) => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

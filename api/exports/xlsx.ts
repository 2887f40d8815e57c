import { PassThrough } from 'node:stream'
import type { FastifyReply } from 'fastify'
import ExcelJS from 'exceljs'
import { HttpError } from '../http/errors.ts'

/**
 * Rows one export may hold: a month of a county's orders is a few thousand; past this the desk is
 * asked to narrow the filters rather than have one request hold a county's years in memory.
 */
export const MAX_EXPORT_ROWS = 10_000

export type Cell = string | number | null
export interface Sheet {
  name: string
  header: string[]
  /** column widths in characters */
  widths: number[]
  rows: Cell[][]
}

/** 422 export_too_large when a list read with limit MAX_EXPORT_ROWS + 1 came back over the bound */
export function assertBounded(count: number, what: string): void {
  if (count > MAX_EXPORT_ROWS) {
    throw new HttpError(422, `more than ${MAX_EXPORT_ROWS} ${what} match; narrow the filters (dates, village, state)`, 'export_too_large')
  }
}

/** a time as people read it in the township: Beijing time, to the minute */
export function shanghai(iso: string | null | undefined): string {
  if (!iso) return ''
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** today in Beijing, for file names */
export const shanghaiDay = (now = new Date()) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)

/**
 * Sends sheets as an XLSX download, written by exceljs's streaming writer: each row is committed
 * to the zip as it is added, so the workbook is never built whole in memory beside the rows.
 * `file` is the Chinese name (RFC 5987), `ascii` the plain one for old clients.
 */
export function sendXlsx(reply: FastifyReply, file: string, ascii: string, sheets: Sheet[]): FastifyReply {
  const out = new PassThrough()
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
  void (async () => {
    for (const s of sheets) {
      const ws = book.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] })
      ws.columns = s.widths.map((width) => ({ width }))
      const head = ws.addRow(s.header)
      head.font = { bold: true }
      head.commit()
      for (const r of s.rows) ws.addRow(r).commit()
      ws.commit()
    }
    await book.commit()
  })().catch((err: Error) => out.destroy(err))
  return reply
    .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}`)
    .header('Cache-Control', 'no-store')
    .send(out)
}

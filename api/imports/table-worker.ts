import { parentPort, workerData } from 'node:worker_threads'
import { TableError, type TableLimits } from './limits.ts'

/** What the reader sends this worker, and what comes back. */
export interface TableJob {
  data: Uint8Array
  kind: 'csv' | 'xlsx'
  limits: TableLimits
}
export type TableMessage =
  | { type: 'reading' }
  | { type: 'rows'; rows: string[][] }
  | { type: 'done' }
  | { type: 'refused'; statusCode: number; message: string }

// rows go back in batches: one message of 20,000 rows would take the main thread tens of
// milliseconds to deserialise in one go
const BATCH = 1000

const { data, kind, limits } = workerData as TableJob
const port = parentPort!
const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
let batch: string[][] = []
try {
  // only the reader this file needs is loaded: exceljs alone takes a few hundred milliseconds
  const rows = kind === 'csv' ? (await import('./csv-rows.ts')).csvRows(bytes, limits) : (await import('./xlsx-rows.ts')).xlsxRows(bytes, limits)
  // the file's time limit starts now: loading the reader is no fault of the file (seconds on a busy machine)
  port.postMessage({ type: 'reading' } satisfies TableMessage)
  for await (const row of rows) {
    batch.push(row)
    if (batch.length === BATCH) {
      port.postMessage({ type: 'rows', rows: batch } satisfies TableMessage)
      batch = []
    }
  }
  if (batch.length) port.postMessage({ type: 'rows', rows: batch } satisfies TableMessage)
  port.postMessage({ type: 'done' } satisfies TableMessage)
} catch (err) {
  // anything else the libraries throw on a malformed file (a bad XML tag, …) is the file's fault too
  const statusCode = err instanceof TableError ? err.statusCode : 400
  const message = err instanceof TableError ? err.message : `is not a readable ${kind.toUpperCase()} file: ${(err as Error).message}`
  port.postMessage({ type: 'refused', statusCode, message } satisfies TableMessage)
}

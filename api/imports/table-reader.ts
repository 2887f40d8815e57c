import { Worker } from 'node:worker_threads'
import { HttpError } from '../http/errors.ts'
import { DEFAULT_TABLE_LIMITS, n, overLimit, TableError, type TableLimits } from './limits.ts'
import type { TableJob, TableMessage } from './table-worker.ts'
import { readZipDirectory } from './zip.ts'
import { fairTurns, importTurns, type Turns } from './turns.ts'

export type TableKind = 'csv' | 'xlsx'

/** A table as text: the first non-empty row, and the rows after it. */
export interface Table {
  header: string[]
  rows: string[][]
}

export interface TableReaderOptions {
  /** parses running at once; each takes a worker thread and up to its heap limit */
  maxParallel?: number
  /** parses waiting for a turn, all accounts together; past that a caller is told to come back (429) */
  maxWaiting?: number
  /** parses one account may have waiting; past that only that account is told to come back (429) */
  maxWaitingPerAccount?: number
  /** defaults for every read; a read may tighten or loosen them */
  limits?: Partial<TableLimits>
  /** turns shared with other readers (the boundary files'); made from the options above when not given */
  turns?: Turns
}

export interface TableReader {
  /** `account` is whose turn this is (a username): accounts take turns, so one cannot hold the reader */
  read(data: Buffer, kind: TableKind, limits?: Partial<TableLimits>, account?: string): Promise<Table>
}

const WORKER = new URL('./table-worker.mjs', import.meta.url)
/** how long a worker may take to load its reader before the read is refused as busy (503), not as the file's fault */
const STARTUP_MS = 60_000

/**
 * Reads CSV (UTF-8 or GBK) and XLSX tables from strangers without stopping the API: each parse
 * runs in its own worker thread with a capped heap and a wall-clock limit, and is ended (and its
 * memory returned) when it goes over either; a file over a size, row or zip limit is refused
 * with a 413 that names the limit, a damaged one with a 400. Parses take turns, so a burst of
 * uploads costs at most maxParallel threads; see `fairTurns` for whose turn comes next.
 */
export function createTableReader(options: TableReaderOptions = {}): TableReader {
  const turns = options.turns ?? fairTurns(options.maxParallel ?? 1, options.maxWaiting ?? 8, options.maxWaitingPerAccount ?? 1)
  return {
    async read(data, kind, overrides, account = '') {
      const limits: TableLimits = { ...DEFAULT_TABLE_LIMITS, ...options.limits, ...overrides }
      if (data.length > limits.maxBytes) throw overLimit(`is ${n(data.length)} bytes; the limit is ${n(limits.maxBytes)} (maxBytes)`)
      // the directory check reads at most 64 kB and maxZipEntries records, so it is done here
      // too: a bomb is refused at once, without a worker's start-up time and memory
      if (kind === 'xlsx') readZipDirectory(data, limits)
      await turns.take(account)
      try {
        return await parseInWorker(data, kind, limits)
      } finally {
        turns.release()
      }
    },
  }
}

function parseInWorker(data: Buffer, kind: TableKind, limits: TableLimits): Promise<Table> {
  return new Promise((resolve, reject) => {
    const job: TableJob = { data, kind, limits }
    const worker = new Worker(WORKER, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    })
    const rows: string[][] = []
    let settled = false
    const finish = (err: Error | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      if (err) return reject(err)
      const header = rows.shift()
      resolve({ header: header ?? [], rows })
    }
    // two clocks: the worker's start (loading its reader; a busy machine, not the file) and the file's read (timeoutMs)
    let timer = setTimeout(() => finish(new HttpError(503, `the table reader did not start within ${STARTUP_MS / 1000} s; try again`, 'busy')), STARTUP_MS)
    worker.on('message', (m: TableMessage) => {
      if (m.type === 'reading') {
        clearTimeout(timer)
        timer = setTimeout(() => finish(overLimit(`took more than ${limits.timeoutMs / 1000} s to read (timeoutMs)`)), limits.timeoutMs)
      } else if (m.type === 'rows') for (const row of m.rows) rows.push(row)
      else if (m.type === 'done') finish(null)
      else finish(new TableError(m.statusCode, m.message))
    })
    worker.on('error', (err: Error & { code?: string; statusCode?: unknown }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(overLimit(`needs more than ${n(limits.heapMb)} MB of memory to read (heapMb)`))
      // a refusal that escaped the worker's own catch arrives as a copy of the error
      else if (err.statusCode === 400 || err.statusCode === 413) finish(new TableError(err.statusCode, err.message))
      else finish(err)
    })
    worker.on('exit', (code) => finish(new Error(`table worker stopped (exit code ${code}) before it was done`)))
  })
}

/** The API's one table reader: it shares its turns with every other import (importTurns). */
export const tableReader = createTableReader({ turns: importTurns })

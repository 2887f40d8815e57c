import { Worker } from 'node:worker_threads'
import { DEFAULT_TABLE_LIMITS, n, overLimit, TableError, type TableLimits } from './limits.ts'
import type { TableJob, TableMessage } from './table-worker.ts'
import { readZipDirectory } from './zip.ts'

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
}

export interface TableReader {
  /** `account` is whose turn this is (a username): accounts take turns, so one cannot hold the reader */
  read(data: Buffer, kind: TableKind, limits?: Partial<TableLimits>, account?: string): Promise<Table>
}

const WORKER = new URL('./table-worker.mjs', import.meta.url)

/**
 * Reads CSV (UTF-8 or GBK) and XLSX tables from strangers without stopping the API: each parse
 * runs in its own worker thread with a capped heap and a wall-clock limit, and is ended (and its
 * memory returned) when it goes over either; a file over a size, row or zip limit is refused
 * with a 413 that names the limit, a damaged one with a 400. Parses take turns, so a burst of
 * uploads costs at most maxParallel threads; see `fairTurns` for whose turn comes next.
 */
export function createTableReader(options: TableReaderOptions = {}): TableReader {
  const turns = fairTurns(options.maxParallel ?? 1, options.maxWaiting ?? 8, options.maxWaitingPerAccount ?? 1)
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

/**
 * Turns at the reader, shared fairly between accounts: each account may have maxPerAccount files
 * waiting (past that it alone gets a 429; the others still queue), and a freed turn goes to the
 * waiting account served longest ago, so an account sending files in a loop gets every other
 * turn at most while another account waits. The total waiting is capped too: each waiting file
 * holds its body (up to 20 MB) in memory.
 */
function fairTurns(maxParallel: number, maxWaiting: number, maxPerAccount: number) {
  let running = 0
  let waitingCount = 0
  let served = 0
  /** the accounts with files waiting, each with its waiting files in order */
  const waiting = new Map<string, (() => void)[]>()
  /** when each account last got a turn (a counter): the one served longest ago goes next */
  const lastServed = new Map<string, number>()
  const busy = (message: string) => new TableError(429, message, 'import_busy')

  return {
    async take(account: string): Promise<void> {
      if (running < maxParallel && waitingCount === 0) {
        running++
        lastServed.set(account, ++served)
        return
      }
      const own = waiting.get(account) ?? []
      if (own.length >= maxPerAccount) throw busy(`your earlier file is still waiting to be read; send this one when it is done`)
      if (waitingCount >= maxWaiting) throw busy(`${running} files are being read and ${waitingCount} wait; send this one again in a minute`)
      waitingCount++
      waiting.set(account, own)
      // the finishing parse hands its turn straight to the next account in line
      await new Promise<void>((resolve) => own.push(resolve))
    },
    release(): void {
      let next: string | null = null
      for (const account of waiting.keys()) {
        if (next === null || (lastServed.get(account) ?? 0) < (lastServed.get(next) ?? 0)) next = account
      }
      if (next === null) {
        // idle again: who was served when no longer matters
        if (--running === 0) lastServed.clear()
        return
      }
      const queue = waiting.get(next)!
      const resolve = queue.shift()!
      if (!queue.length) waiting.delete(next)
      waitingCount--
      lastServed.set(next, ++served)
      resolve()
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
    const timer = setTimeout(() => finish(overLimit(`took more than ${limits.timeoutMs / 1000} s to read (timeoutMs)`)), limits.timeoutMs)
    worker.on('message', (m: TableMessage) => {
      if (m.type === 'rows') for (const row of m.rows) rows.push(row)
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

/** The API's one reader: every import shares its turns. */
export const tableReader = createTableReader()

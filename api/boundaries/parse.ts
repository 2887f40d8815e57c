import { Worker } from 'node:worker_threads'
import { n, overLimit, TableError } from '../imports/limits.ts'
import { importTurns, type Turns } from '../imports/turns.ts'
import { readZipDirectory } from '../imports/zip.ts'
import { DEFAULT_TABLE_LIMITS } from '../imports/limits.ts'
import { DEFAULT_READ_LIMITS, type BoundaryFormat, type ReadLimits } from './read.ts'
import type { ParseJob, ParseMessage, ParsedFeature } from './parse-worker.ts'

export interface ParseLimits extends ReadLimits {
  /** the upload itself */
  maxBytes: number
  /** the parsing worker's heap; past it the worker is ended */
  heapMb: number
  timeoutMs: number
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { ...DEFAULT_READ_LIMITS, maxBytes: 64 * 1024 * 1024, heapMb: 768, timeoutMs: 60_000 }

type Meta = Extract<ParseMessage, { type: 'meta' }>['meta']
/** a feature on this side: its well-known binary as a Buffer, for the database driver */
export type BoundaryFeature = Omit<ParsedFeature, 'wkb'> & { wkb: Buffer | null }
export type ParsedFile = Meta & { features: BoundaryFeature[] }

const WORKER = new URL('./parse-worker.mjs', import.meta.url)

/**
 * A boundary file read off the API's thread, as the table reader reads spreadsheets: a worker
 * with a capped heap and a wall clock, a zip's directory checked before anything is inflated,
 * and the import turns shared with every other upload (one account cannot hold them).
 */
export async function parseBoundaryFile(
  data: Buffer, format: BoundaryFormat, account: string, overrides: Partial<ParseLimits> = {}, o: { gcj02?: boolean; turns?: Turns } = {},
): Promise<ParsedFile> {
  const turns = o.turns ?? importTurns
  const limits = { ...DEFAULT_PARSE_LIMITS, ...overrides }
  if (data.length > limits.maxBytes) throw overLimit(`is ${n(data.length)} bytes; the limit is ${n(limits.maxBytes)} (maxBytes)`)
  if (format === 'shapefile' || format === 'kmz') {
    readZipDirectory(data, { ...DEFAULT_TABLE_LIMITS, maxZipEntries: 200, maxInflatedBytes: limits.maxInflatedBytes, ratioGraceBytes: 1024 * 1024 })
  }
  await turns.take(account)
  try {
    return await inWorker(data, format, limits, o.gcj02 ?? false)
  } finally {
    turns.release()
  }
}

function inWorker(data: Buffer, format: BoundaryFormat, limits: ParseLimits, gcj02: boolean): Promise<ParsedFile> {
  return new Promise((resolve, reject) => {
    const job: ParseJob = { data, format, limits, gcj02 }
    const worker = new Worker(WORKER, { workerData: job, resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 } })
    let meta: Meta | null = null
    const features: BoundaryFeature[] = []
    let settled = false
    const finish = (err: Error | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void worker.terminate()
      if (err) return reject(err)
      if (!meta) return reject(new Error('boundary worker finished without its description'))
      resolve({ ...meta, features })
    }
    const timer = setTimeout(() => finish(overLimit(`took more than ${limits.timeoutMs / 1000} s to read (timeoutMs)`)), limits.timeoutMs)
    worker.on('message', (m: ParseMessage) => {
      if (m.type === 'meta') meta = m.meta
      else if (m.type === 'features') for (const f of m.features) features.push({ ...f, wkb: f.wkb ? Buffer.from(f.wkb.buffer, f.wkb.byteOffset, f.wkb.byteLength) : null })
      else if (m.type === 'done') finish(null)
      else finish(new TableError(m.statusCode, m.message))
    })
    worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(overLimit(`needs more than ${n(limits.heapMb)} MB of memory to read (heapMb)`))
      else finish(err)
    })
    worker.on('exit', (code) => finish(new Error(`boundary worker stopped (exit code ${code}) before it was done`)))
  })
}

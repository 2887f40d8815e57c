import { parentPort, workerData } from 'node:worker_threads'
import { TableError } from '../imports/limits.ts'
import { extent, toWkb, vertexCount } from './geometry.ts'
import { readBoundaryFile, type BoundaryFormat, type ReadLimits, type ReadResult } from './read.ts'
import type { DbfValue } from './dbf.ts'

/** What the boundary reader sends this worker, and what comes back. */
export interface ParseJob {
  data: Uint8Array
  format: BoundaryFormat
  limits: ReadLimits
  /** points copied from 高德/腾讯 maps: converted to WGS-84 here, vertex by vertex, off the API's thread */
  gcj02?: boolean
}
export interface ParsedFeature {
  props: Record<string, DbfValue>
  /** the feature's polygons as a MultiPolygon in the file's coordinates; null: no geometry */
  wkb: Uint8Array | null
  vertices: number
}
export type ParseMessage =
  | { type: 'meta'; meta: Omit<ReadResult, 'features'> & { extent: [number, number, number, number] | null; count: number } }
  | { type: 'features'; features: ParsedFeature[] }
  | { type: 'done' }
  | { type: 'refused'; statusCode: number; message: string }

const BATCH = 200
const { data, format, limits, gcj02 } = workerData as ParseJob
const port = parentPort!
try {
  const read = await readBoundaryFile(Buffer.from(data.buffer, data.byteOffset, data.byteLength), format, limits)
  const total = read.features.reduce((s, f) => s + (f.polygons ? vertexCount(f.polygons) : 0), 0)
  if (total > limits.maxVertices) throw new TableError(400, `has more than ${limits.maxVertices} vertices (maxVertices)`)
  const { features, ...meta } = read
  if (gcj02) {
    const { default: gcoord } = await import('gcoord')
    for (const f of features) {
      for (const ring of (f.polygons ?? []).flat()) {
        for (let i = 0; i < ring.length; i += 2) [ring[i], ring[i + 1]] = gcoord.transform([ring[i], ring[i + 1]], gcoord.GCJ02, gcoord.WGS84) as [number, number]
      }
    }
  }
  port.postMessage({ type: 'meta', meta: { ...meta, extent: extent(features.map((f) => f.polygons)), count: features.length } } satisfies ParseMessage)
  // the well-known binary is made here, off the API's thread, and moved, not copied
  for (let i = 0; i < features.length; i += BATCH) {
    const batch = features.slice(i, i + BATCH).map((f) => ({ props: f.props, wkb: f.polygons ? toWkb(f.polygons) : null, vertices: f.polygons ? vertexCount(f.polygons) : 0 }))
    port.postMessage({ type: 'features', features: batch } satisfies ParseMessage, batch.flatMap((f) => (f.wkb ? [f.wkb.buffer as ArrayBuffer] : [])))
  }
  port.postMessage({ type: 'done' } satisfies ParseMessage)
} catch (err) {
  const statusCode = err instanceof TableError ? err.statusCode : 400
  const message = err instanceof TableError ? err.message : `is not a readable ${format} file: ${(err as Error).message}`
  port.postMessage({ type: 'refused', statusCode, message } satisfies ParseMessage)
}

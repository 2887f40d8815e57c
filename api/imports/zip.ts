import { createInflateRaw } from 'node:zlib'
import { n, overLimit, unreadable, type TableLimits } from './limits.ts'

/**
 * The zip side of an XLSX, read with its limits. Written here rather than taken from a library:
 * the zip readers at hand (unzipper, which exceljs streams through, and jszip) inflate as they
 * go and trust the sizes an entry declares; none checks the central directory first or stops
 * an entry that inflates past its declared size (yauzl's validateEntrySizes does, but it is not
 * a dependency, and both jobs together are a hundred lines).
 */
export interface ZipEntry {
  name: string
  /** 0 stored, 8 deflated */
  method: number
  compressedSize: number
  /** as the central directory declares it; held to it while inflating */
  size: number
  /** where the entry's data begins in the file */
  dataOffset: number
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

/**
 * The entries of a zip from its central directory, refused before anything is inflated when
 * they are too many, declare too much together, or one compresses beyond belief.
 */
export function readZipDirectory(zip: Buffer, limits: TableLimits): ZipEntry[] {
  // the end record sits in the last 22 bytes plus a comment of at most 65,535
  let end = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      end = i
      break
    }
  }
  if (end < 0) throw unreadable('is not a zip archive (no end of central directory); an XLSX file is one')
  const count = zip.readUInt16LE(end + 10)
  const dirSize = zip.readUInt32LE(end + 12)
  const dirOffset = zip.readUInt32LE(end + 16)
  if (count === 0xffff || dirOffset === 0xffffffff) throw unreadable('is a ZIP64 archive; an XLSX of this size is refused anyway')
  if (count > limits.maxZipEntries) throw overLimit(`holds ${n(count)} zip entries; the limit is ${n(limits.maxZipEntries)} (maxZipEntries)`)
  if (dirOffset + dirSize > end) throw unreadable('is a damaged zip (central directory out of bounds)')

  const entries: ZipEntry[] = []
  const names = new Set<string>()
  let declared = 0
  for (let at = dirOffset, i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL) throw unreadable('is a damaged zip (bad central directory entry)')
    const flags = zip.readUInt16LE(at + 8)
    const method = zip.readUInt16LE(at + 10)
    const compressedSize = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const localOffset = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)

    if (names.has(name)) throw unreadable(`is a damaged zip (${name} is listed twice)`)
    names.add(name)
    if (flags & 1) throw unreadable(`is encrypted (${name}); save it without a password`)
    if (method !== 0 && method !== 8) throw unreadable(`uses zip compression method ${method} for ${name}; only stored and deflated are read`)
    if (method === 0 && size !== compressedSize) throw unreadable(`is a damaged zip (${name} is stored but its sizes differ)`)
    if (size > limits.ratioGraceBytes && size > compressedSize * limits.maxInflateRatio) {
      throw overLimit(
        `entry ${name} would inflate ${n(compressedSize)} bytes to ${n(size)}, more than ${limits.maxInflateRatio} times (maxInflateRatio): refused as a zip bomb`,
      )
    }
    declared += size
    if (declared > limits.maxInflatedBytes) {
      throw overLimit(`declares more than ${n(limits.maxInflatedBytes)} bytes uncompressed (maxInflatedBytes; ${name} alone declares ${n(size)})`)
    }
    if (localOffset + 30 > dirOffset || zip.readUInt32LE(localOffset) !== LOCAL) throw unreadable(`is a damaged zip (no local header for ${name})`)
    // the local header's own name and extra lengths place the data; its sizes are not trusted
    const dataOffset = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
    if (dataOffset + compressedSize > dirOffset) throw unreadable(`is a damaged zip (${name} runs past its end)`)
    entries.push({ name, method, compressedSize, size, dataOffset })
  }
  return entries
}

/** Bytes inflated so far for one file, shared by its entries. */
export interface InflateBudget {
  left: number
}

/**
 * An entry's bytes, inflated as they are pulled (nothing runs ahead of the reader), stopped the
 * moment it inflates past its declared size or past the file's byte budget.
 */
export async function* inflateEntry(zip: Buffer, entry: ZipEntry, budget: InflateBudget, limits: TableLimits): AsyncGenerator<Buffer> {
  const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize)
  if (entry.method === 0) {
    if (data.length > budget.left) throw overLimit(`inflates to more than ${n(limits.maxInflatedBytes)} bytes (maxInflatedBytes)`)
    budget.left -= data.length
    for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024)
    return
  }
  const inflater = createInflateRaw({ chunkSize: 64 * 1024 })
  inflater.end(data)
  let got = 0
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      got += chunk.length
      if (got > entry.size) {
        throw overLimit(`entry ${entry.name} inflates to more than the ${n(entry.size)} bytes its zip directory declares: stopped at ${n(got)} inflated bytes (the sizes are forged or damaged)`)
      }
      if (chunk.length > budget.left) throw overLimit(`inflates to more than ${n(limits.maxInflatedBytes)} bytes (maxInflatedBytes)`)
      budget.left -= chunk.length
      yield chunk
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('Z_')) throw unreadable(`is a damaged zip (${entry.name}: ${(err as Error).message})`)
    throw err
  } finally {
    inflater.destroy()
  }
  if (got !== entry.size) throw unreadable(`is a damaged zip (${entry.name} inflates to ${n(got)} bytes, not the ${n(entry.size)} it declares)`)
}

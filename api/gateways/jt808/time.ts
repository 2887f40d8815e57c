/** The 6-byte BCD time YYMMDDhhmmss of the standard, always Beijing time (GMT+8). */

const BEIJING_MS = 8 * 3600_000

/**
 * UTC ISO string, or null when the bytes are no valid date: terminals without a fix yet often
 * send all zeros, which must not fail the whole report.
 */
export function bcdTimeToIso(b: Uint8Array): string | null {
  if (b.length !== 6) return null
  const f: number[] = []
  for (const byte of b) {
    const hi = byte >> 4
    const lo = byte & 0x0f
    if (hi > 9 || lo > 9) return null
    f.push(hi * 10 + lo)
  }
  const [yy, mo, dd, hh, mi, ss] = f
  if (mo < 1 || mo > 12 || dd < 1 || hh > 23 || mi > 59 || ss > 59) return null
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss)
  // Date.UTC rolls 31 February over into March; such a date is not one.
  if (new Date(local).getUTCDate() !== dd) return null
  return new Date(local - BEIJING_MS).toISOString()
}

/** null encodes as all zeros, the "no time" terminals send. */
export function isoToBcdTime(time: string | Date | null): Buffer {
  if (time === null) return Buffer.alloc(6)
  const ms = typeof time === 'string' ? Date.parse(time) : time.getTime()
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(time)}`)
  const d = new Date(ms + BEIJING_MS)
  const year = d.getUTCFullYear()
  if (year < 2000 || year > 2099) throw new RangeError(`year ${year} (Beijing time) does not fit in two BCD digits`)
  const digits = [year - 2000, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
  return Buffer.from(digits.map((n) => String(n).padStart(2, '0')).join(''), 'hex')
}

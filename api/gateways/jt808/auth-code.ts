import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** A new auth code for a registration reply: 64 random bits as 16 hex digits. */
export const newAuthCode = (): string => randomBytes(8).toString('hex')

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

/**
 * Compares a presented auth code with the issued one in constant time. Both are hashed first,
 * so the buffers compared are always of equal length and not even the code's length leaks.
 */
export function codesMatch(issued: string, presented: string): boolean {
  return timingSafeEqual(digest(issued), digest(presented))
}

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Where simulated terminals keep their auth codes, as real ones keep them in flash. */
export interface AuthCodes {
  get(phone: string): string | undefined
  set(phone: string, code: string): void
}

export function memoryAuthCodes(): AuthCodes {
  const codes = new Map<string, string>()
  return { get: (phone) => codes.get(phone), set: (phone, code) => void codes.set(phone, code) }
}

/**
 * Codes in a small JSON file ({ phone: code }), so a restarted simulator signs in with the
 * codes it registered for: the platform refuses a second registration of a registered
 * terminal. Written whole to a temporary file and renamed, so a crash never leaves half a
 * file; readable by the owner only, as the codes are credentials.
 */
export function fileAuthCodes(path: string, log?: (line: string) => void): AuthCodes {
  let codes: Record<string, string> = {}
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      codes = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'))
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.(`鉴权码文件 ${path} 无法读取, 当作空文件: ${(err as Error).message}`)
  }
  return {
    get: (phone) => codes[phone],
    set(phone, code) {
      if (codes[phone] === code) return
      codes = { ...codes, [phone]: code }
      mkdirSync(dirname(path), { recursive: true })
      const tmp = `${path}.${process.pid}.tmp`
      writeFileSync(tmp, `${JSON.stringify(codes, null, 2)}\n`, { mode: 0o600 })
      renameSync(tmp, path)
    },
  }
}

import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export const ROOT = new URL('../../', import.meta.url).pathname
export const SCREEN_DIST = join(ROOT, 'dist/screen')
const STAMP = join(SCREEN_DIST, '.source-hash')
// Everything the bundle is made from; a change to any of it makes the build stale. screen/docs
// holds the README's screenshot, which the e2e retakes: not a source, or every e2e run would make
// the next start rebuild (and walls reload) for a picture.
const SOURCES = ['screen', 'geo', 'vite.config.ts', 'package-lock.json']
const NOT_SOURCES = new Set([join(ROOT, 'screen/docs')])

function walk(path: string, out: string[]): void {
  if (!existsSync(path)) return
  if (statSync(path).isFile()) {
    out.push(path)
    return
  }
  for (const name of readdirSync(path).sort()) {
    if (name === 'node_modules' || name.endsWith('.test.ts') || NOT_SOURCES.has(join(path, name))) continue
    walk(join(path, name), out)
  }
}

/** A content hash, not mtimes: a fresh clone has new mtimes but needs no rebuild if dist matches. */
export function screenSourceHash(): string {
  const files: string[] = []
  for (const s of SOURCES) walk(join(ROOT, s), files)
  const h = createHash('sha256')
  for (const f of files) h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0')
  return h.digest('hex')
}

export function screenBuildIsCurrent(): boolean {
  return existsSync(join(SCREEN_DIST, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === screenSourceHash()
}

/** Runs `vite build` in a child process, so the API keeps starting on the other core meanwhile. */
export function buildScreen(log: (line: string) => void): Promise<void> {
  const hash = screenSourceHash()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const relay = (buf: Buffer) => buf.toString().split('\n').filter(Boolean).forEach((l) => log(l))
    child.stdout.on('data', relay)
    child.stderr.on('data', relay)
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`screen build failed (vite exit ${code})`))
      writeFileSync(STAMP, hash)
      resolve()
    })
  })
}

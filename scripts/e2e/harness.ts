// Browser e2e harness: starts the real system (tsx api/main.ts) on a free port with a
// fresh data directory, drives Debian's Chromium through playwright-core, records every
// request the page makes, and keeps a pass/fail tally.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { freePort } from '../pg/temp-cluster.ts'
import { type AuthCodes, memoryAuthCodes } from '../simulate/jt808/auth-codes.ts'

export const ROOT = new URL('../../', import.meta.url).pathname
export const ARTIFACTS = join(ROOT, 'test-artifacts/e2e')

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader',
  // the browser's own controls (date fields, file buttons) in the users' language
  '--lang=zh-CN',
]

/** the demo accounts' password in e2e runs */
export const E2E_PASSWORD = 'e2e-demo-password'

export interface System {
  origin: string
  /** the JT/T 808 gateway's TCP port */
  jt808Port: number
  /**
   * The simulated terminals' auth codes for this system, kept across scenarios as a real
   * terminal keeps its code: the platform refuses a second registration of a registered
   * terminal, so a scenario's simulator that forgot the codes of an earlier one could not sign in.
   */
  terminalCodes: AuthCodes
  startupMs: number
  stop(): Promise<void>
  /** kill -9 of the API and everything it started, as a power cut would */
  kill9(): Promise<void>
  /**
   * Takes the API down (SIGTERM, as a deployment does, or SIGKILL, as a crash does) and keeps
   * its data directory and ports, so `up` brings the same system back.
   */
  down(how?: 'term' | 'kill'): Promise<void>
  /** starts the API again on the same port and data directory, with `env` added (e.g. a new BUILD_VERSION); ms until /api/health answered */
  up(env?: NodeJS.ProcessEnv): Promise<number>
}

const SIGNAL = { term: 'SIGTERM', kill: 'SIGKILL' } as const

export async function startSystem(env: NodeJS.ProcessEnv = {}): Promise<System> {
  const port = await freePort()
  const jt808Port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'shuzhi-e2e-'))
  const origin = `http://127.0.0.1:${port}`
  let child: ChildProcess
  // exitCode stays null for a child killed by a signal, so "still running" is tracked here
  let running = false
  let exited: Promise<void> = Promise.resolve()

  function launch(extra: NodeJS.ProcessEnv): void {
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'api/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn', DEMO_PASSWORD: E2E_PASSWORD, JT808_PORT: String(jt808Port), PGLITE_SEED: '1', ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const relay = (buf: Buffer) => buf.toString().split('\n').filter(Boolean).forEach((l) => console.log(`  [api] ${l}`))
    child.stdout!.on('data', relay)
    child.stderr!.on('data', relay)
    running = true
    const mine = child
    exited = new Promise<void>((r) => mine.once('exit', () => ((running = false), r())))
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig)
    } catch {
      /* gone */
    }
  }
  const down = async (how: 'term' | 'kill' = 'term') => {
    if (!running) return
    signal(SIGNAL[how])
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (running) signal('SIGKILL')
    await exited
  }
  const stop = async () => {
    await down('term')
    rmSync(dataDir, { recursive: true, force: true })
  }
  process.once('exit', () => {
    if (running) signal('SIGKILL')
  })

  /** waits for /api/health, then for the screen (it may still be building on a cold start) */
  async function ready(): Promise<void> {
    const deadline = Date.now() + 300_000
    for (;;) {
      if (!running) throw new Error(`api exited with code ${child.exitCode}`)
      if (Date.now() > deadline) {
        await stop()
        throw new Error('api did not answer /api/health within 300 s')
      }
      try {
        const res = await fetch(`${origin}/api/health`)
        if (res.ok) break
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    for (;;) {
      const res = await fetch(`${origin}/`)
      if (res.status === 200) break
      if (res.status !== 503 || Date.now() > deadline) throw new Error(`screen not served: HTTP ${res.status}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }

  const started = performance.now()
  launch({})
  await ready()
  const startupMs = performance.now() - started
  const up = async (extra: NodeJS.ProcessEnv = {}) => {
    if (running) throw new Error('the API is still up')
    const t0 = performance.now()
    launch(extra)
    await ready()
    return performance.now() - t0
  }
  return { origin, jt808Port, terminalCodes: memoryAuthCodes(), startupMs, stop, kill9: () => down('kill'), down, up }
}

/** tokens already issued in this run, by origin and username */
const issued = new Map<string, Promise<string>>()

/**
 * A bearer token for a demo account, through the public login route. One per account and origin
 * is kept for the run, as a person keeps theirs: the login route allows 20 attempts a minute from
 * one address, and a scenario asking for a token on every call went past it in CI (a 429).
 */
export function apiLogin(origin: string, username: string): Promise<string> {
  const key = `${origin} ${username}`
  const known = issued.get(key)
  if (known) return known
  const token = signInOverApi(origin, username)
  issued.set(key, token)
  token.catch(() => issued.delete(key))
  return token
}

async function signInOverApi(origin: string, username: string): Promise<string> {
  const res = await fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: E2E_PASSWORD }),
  })
  if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status}`)
  return ((await res.json()) as { token: string }).token
}

/** Signs in through the wall's own form, as a person at the screen does (a token in the address is for walls only). */
export async function signIn(page: Page, origin: string, username: string, path = '/', password = E2E_PASSWORD): Promise<void> {
  await page.goto(origin + path)
  const form = page.locator('[data-testid="login"]')
  await form.waitFor({ timeout: 60_000 })
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', password)
  await page.click('button[type="submit"]')
  await form.waitFor({ state: 'detached', timeout: 30_000 })
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/** Every URL the page requested that is not on the system's own origin (data: and blob: are local). */
export function watchRequests(page: Page, origin: string): { foreign: string[]; count: () => number } {
  const foreign: string[] = []
  let n = 0
  page.on('request', (req) => {
    n++
    const url = req.url()
    if (url.startsWith('data:') || url.startsWith('blob:')) return
    if (new URL(url).origin !== origin) foreign.push(url)
  })
  return { foreign, count: () => n }
}

/** Page errors and console errors, which fail a scenario. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  return errors
}

/**
 * Distinct colours in a screenshot region, decoded by the browser itself (no PNG
 * library needed). A map that fired idle but drew nothing has one or two colours.
 */
export async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const c = document.createElement('canvas')
    c.width = img.width
    c.height = img.height
    const ctx = c.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    const data = ctx.getImageData(0, 0, c.width, c.height).data
    const seen = new Set<number>()
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2])
    return seen.size
  }, png.toString('base64'))
}

export class Tally {
  passed = 0
  failed = 0
  readonly failures: string[] = []

  check(name: string, ok: boolean, detail = ''): void {
    if (ok) {
      this.passed++
      console.log(`  ✓ ${name}${detail ? ` (${detail})` : ''}`)
    } else {
      this.failed++
      const line = `  ✗ ${name}${detail ? `: ${detail}` : ''}`
      this.failures.push(line)
      console.log(line)
    }
  }
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}

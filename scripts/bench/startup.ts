// Cold and warm start of the embedded mode, measured the way an operator meets it:
// `tsx api/main.ts` until /api/health answers.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../pg/temp-cluster.ts'

const ROOT = new URL('../../', import.meta.url).pathname

async function timeToHealth(dataDir: string): Promise<{ ms: number; stop(): Promise<void> }> {
  const port = await freePort()
  const started = performance.now()
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir, SIMULATOR: 'off', LOG_LEVEL: 'warn', JT808_PORT: '0' }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'api/main.ts')], { cwd: ROOT, env, stdio: 'ignore' })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`)
      if (res.ok) break
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const ms = performance.now() - started
  return {
    ms,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

export async function benchStartup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shuzhi-bench-data-'))
  try {
    const cold = await timeToHealth(dataDir)
    await cold.stop()
    const warm = await timeToHealth(dataDir)
    await warm.stop()
    console.log(`startup (embedded PGlite, built screen present): cold ${(cold.ms / 1000).toFixed(1)} s (empty data dir, fixtures loaded), warm ${(warm.ms / 1000).toFixed(1)} s, warm/cold ${(warm.ms / cold.ms).toFixed(2)}`)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// The API as its own process (as in production), so a benchmark's load generator does
// not share its event loop.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { freePort } from '../pg/temp-cluster.ts'

const ROOT = new URL('../../', import.meta.url).pathname

export async function startApiProcess(env: NodeJS.ProcessEnv): Promise<{ origin: string; stop(): Promise<void> }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'api/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const origin = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${origin}/api/health`)).ok) break
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    origin,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

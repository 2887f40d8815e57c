// The API as its own process (as in production), so a benchmark's load generator does
// not share its event loop.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { freePort } from '../pg/temp-cluster.ts'

const ROOT = new URL('../../', import.meta.url).pathname

export const BENCH_PASSWORD = 'bench-demo-password'

export async function startApiProcess(
  env: NodeJS.ProcessEnv,
): Promise<{ pid: number; origin: string; jt808Port: number; token: string; login(username: string): Promise<string>; stop(): Promise<void> }> {
  const port = await freePort()
  const jt808Port = await freePort()
  // BENCH_API_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to see where the API spends its time
  const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'api/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn', DEMO_PASSWORD: BENCH_PASSWORD, JT808_PORT: String(jt808Port), ...env },
    stdio: process.env.BENCH_API_LOG ? ['ignore', 'inherit', 'inherit'] : 'ignore',
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
  const login = async (username: string) => {
    const res = await fetch(`${origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: BENCH_PASSWORD }),
    })
    if (!res.ok) throw new Error(`bench login ${username} failed: HTTP ${res.status} (an existing database keeps its own demo password)`)
    return ((await res.json()) as { token: string }).token
  }
  // a display-role token, as a wall would hold
  const token = await login('display')
  return {
    pid: child.pid!,
    origin,
    jt808Port,
    token,
    login,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

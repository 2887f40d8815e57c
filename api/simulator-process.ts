import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
export const SIMULATOR_CLI = fileURLToPath(new URL('../scripts/simulate/cli.ts', import.meta.url))
/** the demo township's life: reports, visits and the loop through the API as the demo accounts */
export const LIFE_CLI = fileURLToPath(new URL('../scripts/simulate/life-cli.ts', import.meta.url))

export interface SimulatorProcess {
  readonly pid: number
  /** resolves when the child has exited (SIGKILL after graceMs) */
  stop(graceMs?: number): Promise<void>
}

export interface SimulatorProcessOptions {
  /** arguments of scripts/simulate/cli.ts */
  args: string[]
  /** added to this process's environment */
  env?: NodeJS.ProcessEnv
  /** each line the simulator prints, without its "[simulator] " prefix */
  log(line: string): void
  /** another script (the township's life, tests) */
  script?: string
  /**
   * Answers the child's questions over its IPC channel ({ id, ask } → { id, answer }): the life
   * simulator asks for a demo account's token here rather than holding a password.
   */
  answer?(ask: unknown): Promise<unknown>
}

/**
 * The demo's truck simulator as a child process (tsx scripts/simulate/cli.ts): the API does
 * not import scripts/, and the trucks reach the API only as real ones do, over JT/T 808 or
 * HTTP. It stops with the API: on stop(), and by itself when the API goes away without
 * stopping it (a crash, kill -9), as its IPC channel then closes. Null when the script is not
 * there (a deployment without scripts/).
 */
export function startSimulatorProcess(opts: SimulatorProcessOptions): SimulatorProcess | null {
  const script = opts.script ?? SIMULATOR_CLI
  if (!existsSync(script)) return null
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...opts.args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let stopping = false
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) opts.log(`已退出 (${signal ?? `code ${code}`})`)
      resolve()
    })
    // spawn failures come as 'error' with no 'exit'
    child.once('error', (err) => {
      opts.log(`无法启动: ${err.message}`)
      resolve()
    })
  })
  if (opts.answer) {
    const answer = opts.answer
    child.on('message', (m: { id?: unknown; ask?: unknown }) => {
      if (typeof m?.id !== 'number') return
      answer(m.ask).then((a) => a, () => null).then((a) => {
        if (child.connected) child.send({ id: m.id, answer: a ?? null })
      })
    })
  }
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim()) opts.log(line.replace(/^\[simulator\] /, ''))
    })
  }
  return {
    pid: child.pid ?? -1,
    async stop(graceMs = 8000) {
      stopping = true
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

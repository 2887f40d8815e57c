// npm start runs the truck simulator as a child process (tsx scripts/simulate/cli.ts): its
// trucks sign in on the JT/T 808 gateway and report, its lines come through with the prefix
// stripped, and it stops with the API, also when the API is killed without stopping it.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openTestApp, type TestApp } from './test/app.ts'
import { ensureDemoTerminals } from './terminals/demo.ts'
import { startSimulatorProcess } from './simulator-process.ts'

let t: TestApp
let dir: string
let args: string[]
beforeAll(async () => {
  t = await openTestApp({ jt808: { port: 0, host: '127.0.0.1' } })
  await ensureDemoTerminals(t.db)
  dir = mkdtempSync(join(tmpdir(), 'sim-process-'))
  args = ['--protocol', 'jt808', '--jt808', `127.0.0.1:${t.app.jt808!.port}`, '--codes', join(dir, 'codes.json'), '--vehicles', 'all', '--report', '0', '--faults', 'off']
})
afterAll(async () => {
  await t?.close()
  rmSync(dir, { recursive: true, force: true })
})

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const until = async (pred: () => boolean | Promise<boolean>, what: string, ms = 60_000) => {
  const end = Date.now() + ms
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
const reporting = async () =>
  (await t.db.query<{ n: number }>('SELECT count(DISTINCT vehicle_id)::int AS n FROM vehicle_positions WHERE time > now() - interval \'5 minutes\'')).rows[0].n

it('drives the demo trucks over JT/T 808 as a child process, relays its lines, and stops when told', async () => {
  const lines: string[] = []
  const sim = startSimulatorProcess({ args, log: (line) => lines.push(line) })!
  expect(sim.pid).toBeGreaterThan(0)
  await until(async () => (await reporting()) === 12, 'all 12 trucks reporting')
  expect(lines).toContain('12 vehicles at 1 Hz → JT/T 808 gateway')
  expect(lines.every((l) => !l.startsWith('[simulator]'))).toBe(true)
  // each terminal keeps the code it registered for
  expect(Object.keys(JSON.parse(readFileSync(join(dir, 'codes.json'), 'utf8')))).toHaveLength(12)
  await sim.stop()
  expect(alive(sim.pid)).toBe(false)
}, 120_000)

it('stops by itself when the API process dies without stopping it (kill -9)', async () => {
  const registered = async () => (await t.db.query<{ at: Date[] }>('SELECT array_agg(registered_at ORDER BY phone) AS at FROM terminals')).rows[0].at
  const before = await registered()
  // a stand-in for the API: starts the simulator and reports its pid
  const parentFile = join(dir, 'parent.ts')
  writeFileSync(parentFile, `
    import { startSimulatorProcess } from ${JSON.stringify(new URL('./simulator-process.ts', import.meta.url).pathname)}
    const sim = startSimulatorProcess({ args: ${JSON.stringify(args)}, log: (line) => console.log(line) })
    console.log('child ' + sim.pid)
    setInterval(() => {}, 1000)
  `)
  const parent = spawn(process.execPath, ['--import', 'tsx', parentFile], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  parent.stdout.on('data', (d: Buffer) => (out += d.toString()))
  await until(() => /12 vehicles at/.test(out), 'the simulator under the stand-in started')
  const child = Number(/child (\d+)/.exec(out)![1])
  expect(alive(child)).toBe(true)
  // the restarted simulator signed in with the codes it kept: nobody registered again
  await new Promise((r) => setTimeout(r, 2000))
  expect(out).not.toMatch(/重置|失败/)
  expect(await registered()).toEqual(before)
  parent.kill('SIGKILL')
  await until(() => !alive(child), 'the orphaned simulator to stop', 15_000)
}, 120_000)

// A throwaway PostgreSQL 15 + PostGIS cluster on a free loopback port, for benchmarks
// and tests run outside CI. Needs Debian's postgresql-15-postgis-3 (CI installs it).
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export function canStartCluster(): boolean {
  return existsSync(join(PGBIN, 'initdb')) && existsSync('/usr/share/postgresql/15/extension/postgis.control')
}

export interface TempCluster {
  url: string
  stop(): void
}

export async function startTempCluster(): Promise<TempCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-pg-'))
  const data = join(dir, 'data')
  const port = await freePort()
  const asRoot = process.getuid?.() === 0
  // initdb refuses to run as root; the postgres system user owns the cluster then.
  const run = (cmd: string, args: string[]) => {
    const file = join(PGBIN, cmd)
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], { stdio: 'pipe' })
    else execFileSync(file, args, { stdio: 'pipe' })
  }
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString())
    chownSync(dir, uid, gid)
  }
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8'])
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start'])
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    const args = ['-D', data, '-m', 'immediate', 'stop']
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', join(PGBIN, 'pg_ctl'), ...args])
    else spawnSync(join(PGBIN, 'pg_ctl'), args)
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', stop)
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop }
}

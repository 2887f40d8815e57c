// File descriptors: every TCP connection is one, and a process may hold no more than its
// RLIMIT_NOFILE. Node raises its soft limit to the hard one at start; the hard limit can only
// be raised with CAP_SYS_RESOURCE, which containers often lack even for root.
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

export interface FdLimit {
  soft: number
  hard: number
}

/** RLIMIT_NOFILE of a process as /proc shows it ("unlimited" read as Infinity). */
export function readFdLimit(pid: number | 'self' = 'self'): FdLimit {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'))
  if (!line) throw new Error(`no "Max open files" in /proc/${pid}/limits`)
  const [soft, hard] = line.replace('Max open files', '').trim().split(/\s+/).map((v) => (v === 'unlimited' ? Infinity : Number(v)))
  return { soft, hard }
}

/**
 * Raises this process's limit to `want` (children inherit it): the hard limit first, which
 * needs CAP_SYS_RESOURCE, else the soft limit to the hard one. Returns what holds afterwards and
 * why it is not more.
 */
export function raiseFdLimit(want: number): FdLimit & { refused: string | null } {
  const set = (soft: number, hard: number) =>
    spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${soft}:${hard}`], { encoding: 'utf8' })
  let refused: string | null = null
  const before = readFdLimit()
  if (before.hard < want) {
    const r = set(want, want)
    if (r.error || r.status !== 0) refused = (r.error?.message ?? r.stderr.trim()) || `prlimit exited with ${r.status}`
  }
  const now = readFdLimit()
  if (now.soft < now.hard) set(now.hard, now.hard)
  return { ...readFdLimit(), refused }
}

/** Resident memory of a process in bytes. */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  return line ? Number(line.split(/\s+/)[1]) * 1024 : NaN
}

/** Open file descriptors of a process. */
export function openFds(pid: number): number {
  const r = spawnSync('ls', [`/proc/${pid}/fd`], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).length
}

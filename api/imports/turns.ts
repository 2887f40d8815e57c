import { TableError } from './limits.ts'

/**
 * Turns at the reader, shared fairly between accounts: each account may have maxPerAccount files
 * waiting (past that it alone gets a 429; the others still queue), and a freed turn goes to the
 * waiting account served longest ago, so an account sending files in a loop gets every other
 * turn at most while another account waits. The total waiting is capped too: each waiting file
 * holds its body (up to 20 MB) in memory.
 */
export function fairTurns(maxParallel: number, maxWaiting: number, maxPerAccount: number) {
  let running = 0
  let waitingCount = 0
  let served = 0
  /** the accounts with files waiting, each with its waiting files in order */
  const waiting = new Map<string, (() => void)[]>()
  /** when each account last got a turn (a counter): the one served longest ago goes next */
  const lastServed = new Map<string, number>()
  const busy = (message: string) => new TableError(429, message, 'import_busy')

  return {
    async take(account: string): Promise<void> {
      if (running < maxParallel && waitingCount === 0) {
        running++
        lastServed.set(account, ++served)
        return
      }
      const own = waiting.get(account) ?? []
      if (own.length >= maxPerAccount) throw busy(`your earlier file is still waiting to be read; send this one when it is done`)
      if (waitingCount >= maxWaiting) throw busy(`${running} files are being read and ${waitingCount} wait; send this one again in a minute`)
      waitingCount++
      waiting.set(account, own)
      // the finishing parse hands its turn straight to the next account in line
      await new Promise<void>((resolve) => own.push(resolve))
    },
    release(): void {
      let next: string | null = null
      for (const account of waiting.keys()) {
        if (next === null || (lastServed.get(account) ?? 0) < (lastServed.get(next) ?? 0)) next = account
      }
      if (next === null) {
        // idle again: who was served when no longer matters
        if (--running === 0) lastServed.clear()
        return
      }
      const queue = waiting.get(next)!
      const resolve = queue.shift()!
      if (!queue.length) waiting.delete(next)
      waitingCount--
      lastServed.set(next, ++served)
      resolve()
    },
  }
}

export type Turns = ReturnType<typeof fairTurns>

/**
 * The API's turns at parsing uploaded files: tables and boundary files alike take one, so a
 * burst of imports of any kind costs one worker thread (and its heap) at a time.
 */
export const importTurns = fairTurns(1, 8, 1)

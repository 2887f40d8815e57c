import type { Socket } from 'socket.io-client'

export interface ReconnectOptions {
  /** the first wait after a server-initiated disconnect; doubled per attempt that did not last */
  baseMs?: number
  maxMs?: number
  /** a connection that lasted this long resets the backoff */
  stableMs?: number
  /** true when the session is over (sessionEnded, signed out): then the app goes to sign-in instead */
  ended: () => boolean
  /** setTimeout, unless a test watches the waits */
  schedule?: (run: () => void, ms: number) => ReturnType<typeof setTimeout>
}

/**
 * socket.io's client retries a lost transport by itself, but not a disconnect the server
 * initiated ("io server disconnect": a restart's close, a server that drops the socket): it
 * takes that as "do not come back", and a wall would stay cut off for good. Such a socket
 * connects again after a backoff (1 s, 2 s, 4 s … up to maxMs, with jitter), never in a tight
 * loop, unless the session ended: a refused or expired session goes to sign-in, not round again.
 * Returns a function that stops it (the app closed the socket on purpose).
 */
export function reconnectAfterServerDisconnect(socket: Socket, opts: ReconnectOptions): () => void {
  const baseMs = opts.baseMs ?? 1000
  const maxMs = opts.maxMs ?? 10_000
  const stableMs = opts.stableMs ?? 30_000
  let attempt = 0
  let connectedAt = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  const schedule = opts.schedule ?? ((run: () => void, ms: number) => setTimeout(run, ms))
  const onConnect = () => {
    connectedAt = Date.now()
  }
  const onDisconnect = (reason: string) => {
    if (reason !== 'io server disconnect' || opts.ended()) return
    if (connectedAt && Date.now() - connectedAt >= stableMs) attempt = 0
    const wait = Math.min(maxMs, baseMs * 2 ** attempt) * (0.8 + Math.random() * 0.4)
    attempt++
    if (timer) clearTimeout(timer)
    timer = schedule(() => {
      timer = null
      // the manager's own backoff takes over if the server is not back yet
      if (!opts.ended() && !socket.connected) socket.connect()
    }, wait)
  }
  socket.on('connect', onConnect)
  socket.on('disconnect', onDisconnect)
  return () => {
    if (timer) clearTimeout(timer)
    timer = null
    socket.off('connect', onConnect)
    socket.off('disconnect', onDisconnect)
  }
}

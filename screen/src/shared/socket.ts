import { io, type Socket } from 'socket.io-client'
import { useAuthStore } from './stores/auth.ts'
import { reconnectAfterServerDisconnect } from './socket-reconnect.ts'

/**
 * The app's one socket to the server, with the bearer token in the handshake (never in an
 * address). It reconnects with backoff after any disconnect, one the server initiated (a
 * restart) included; a refused or ended session sends the app back to its sign-in page
 * instead. `onConnect` runs on every (re)connect: subscribe again and fetch what may have
 * been missed while away. The desk and the wall use it; the phone and /r/ have no socket.
 */
export function openSocket(onConnect: (socket: Socket) => void, onState?: (connected: boolean) => void): Socket | null {
  const auth = useAuthStore()
  const token = auth.token
  if (!token) return null
  const socket = io({ auth: { token }, transports: ['websocket'], reconnectionDelayMax: 10_000 })
  let ended = false
  const end = () => {
    ended = true
    auth.expire()
  }
  // the app closing its own socket (sign-out) is a client disconnect: not retried either
  reconnectAfterServerDisconnect(socket, { ended: () => ended || auth.token !== token })
  socket.on('connect', () => {
    onState?.(true)
    onConnect(socket)
  })
  socket.on('disconnect', () => onState?.(false))
  socket.on('connect_error', (err) => {
    onState?.(false)
    if (/unauthorized/.test(err.message)) end()
  })
  socket.on('sessionEnded', end)
  return socket
}

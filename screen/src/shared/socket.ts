import { io, type Socket } from 'socket.io-client'
import { useAuthStore } from './stores/auth.ts'

/**
 * The app's one socket to the server, with the bearer token in the handshake (never in an
 * address). It reconnects with backoff by itself; a refused or ended session sends the app
 * back to its sign-in page. `onConnect` runs on every (re)connect: subscribe again and fetch
 * what may have been missed while away.
 */
export function openSocket(onConnect: (socket: Socket) => void, onState?: (connected: boolean) => void): Socket | null {
  const auth = useAuthStore()
  if (!auth.token) return null
  const socket = io({ auth: { token: auth.token }, transports: ['websocket'], reconnectionDelayMax: 10_000 })
  socket.on('connect', () => {
    onState?.(true)
    onConnect(socket)
  })
  socket.on('disconnect', () => onState?.(false))
  socket.on('connect_error', (err) => {
    onState?.(false)
    if (/unauthorized/.test(err.message)) auth.expire()
  })
  socket.on('sessionEnded', () => auth.expire())
  return socket
}

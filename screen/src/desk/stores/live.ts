import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Socket } from 'socket.io-client'
import type { WorkOrder } from '../../../../geo/work-orders.ts'
import { openSocket } from '../../shared/socket.ts'

type Listener = (order: WorkOrder) => void
type DataListener = (tables: string[]) => void

/**
 * The desk's one socket. The server puts it in the rooms of the user's scope (town, village,
 * grid or department), so every `workOrder` push it gets is an order this user may see; the
 * inbox and the open order page each listen. On a reconnect the listeners' `onReconnect` runs,
 * because pushes sent while the desk was away are not replayed.
 */
export const useLiveStore = defineStore('deskLive', () => {
  const connected = ref(false)
  const listeners = new Set<Listener>()
  const reconnects = new Set<() => void>()
  const dataListeners = new Set<DataListener>()
  let socket: Socket | null = null
  let everConnected = false

  function start(): void {
    if (socket) return
    socket = openSocket(
      (s) => {
        if (everConnected) reconnects.forEach((f) => f())
        everConnected = true
        s.off('workOrder').on('workOrder', (o: WorkOrder) => listeners.forEach((f) => f(o)))
        // which tables changed (names only): a page showing counts refreshes them
        s.off('dataChanged').on('dataChanged', (p: { tables: string[] }) => dataListeners.forEach((f) => f(p.tables)))
      },
      (up) => (connected.value = up),
    )
  }
  function stop(): void {
    socket?.disconnect()
    socket = null
    everConnected = false
    connected.value = false
  }
  function onOrder(f: Listener): () => void {
    listeners.add(f)
    return () => listeners.delete(f)
  }
  function onReconnect(f: () => void): () => void {
    reconnects.add(f)
    return () => reconnects.delete(f)
  }
  function onData(f: DataListener): () => void {
    dataListeners.add(f)
    return () => dataListeners.delete(f)
  }
  return { connected, start, stop, onOrder, onReconnect, onData }
})

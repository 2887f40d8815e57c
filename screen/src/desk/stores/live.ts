import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Socket } from 'socket.io-client'
import type { WorkOrder } from '../../../../geo/work-orders.ts'
import type { VehicleAlert } from '../../../../geo/vehicles.ts'
import { openSocket } from '../../shared/socket.ts'

type Listener = (order: WorkOrder) => void
type DataListener = (tables: string[]) => void
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EventListener = (...args: any[]) => void
type AlertListener = (alerts: VehicleAlert[]) => void

/**
 * The desk's one socket. The server puts it in the rooms of the user's scope (town, village,
 * grid or department), so every `workOrder` push it gets is an order this user may see; the
 * inbox and the open order page each listen. On a reconnect the listeners' `onReconnect` runs,
 * because pushes sent while the desk was away are not replayed. Vehicle alerts come the same
 * way to the users who may read them (the server puts only those in the alerts rooms).
 */
export const useLiveStore = defineStore('deskLive', () => {
  const connected = ref(false)
  const listeners = new Set<Listener>()
  const reconnects = new Set<() => void>()
  const dataListeners = new Set<DataListener>()
  // pushes a page needs only while it is open (the fleet map's positions and alerts): socket.io
  // keeps a Socket's listeners across reconnects, so each is attached once; `connectHooks` run on
  // every (re)connect, where a page subscribes again
  const events: [string, EventListener][] = []
  const connectHooks = new Set<(s: Socket) => void>()
  const alertListeners = new Set<AlertListener>()
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
        connectHooks.forEach((f) => f(s))
      },
      (up) => (connected.value = up),
    )
    for (const [event, f] of events) socket?.on(event, f)
    // attached once (a Socket keeps its listeners across reconnects), never off('alerts') in the
    // connect callback: that would also drop a page's own listener for the same event
    socket?.on('alerts', (list: VehicleAlert[]) => alertListeners.forEach((f) => f(list)))
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
  /** listen to a push while a page is open; `connect` runs now if connected and on every reconnect */
  function listen(on: Record<string, EventListener>, connect?: (s: Socket) => void): () => void {
    const mine = Object.entries(on)
    for (const e of mine) {
      events.push(e)
      socket?.on(e[0], e[1])
    }
    if (connect) {
      connectHooks.add(connect)
      if (socket?.connected) connect(socket)
    }
    return () => {
      for (const e of mine) {
        events.splice(events.indexOf(e), 1)
        socket?.off(e[0], e[1])
      }
      if (connect) connectHooks.delete(connect)
    }
  }
  const emit = (event: string, ...args: unknown[]): void => void socket?.emit(event, ...args)
  function onAlerts(f: AlertListener): () => void {
    alertListeners.add(f)
    return () => alertListeners.delete(f)
  }
  return { connected, start, stop, onOrder, onReconnect, onData, onAlerts, listen, emit }
})

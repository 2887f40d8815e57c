import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Socket } from 'socket.io-client'
import type { WorkOrder } from '../../../../geo/work-orders.ts'
import type { VehicleAlert } from '../../../../geo/vehicles.ts'
import { openSocket } from '../../shared/socket.ts'

type Listener = (order: WorkOrder) => void
type DataListener = (tables: string[]) => void
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
      },
      (up) => (connected.value = up),
    )
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
  function onAlerts(f: AlertListener): () => void {
    alertListeners.add(f)
    return () => alertListeners.delete(f)
  }
  return { connected, start, stop, onOrder, onReconnect, onData, onAlerts }
})

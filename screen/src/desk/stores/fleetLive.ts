import { defineStore } from 'pinia'
import type { Socket } from 'socket.io-client'
import { ref, shallowRef, triggerRef } from 'vue'
import type { VehicleAlert, VehiclePosition, VehicleSummary } from '../../../../geo/vehicles.ts'
import { useLiveStore } from './live.ts'

/** the newest fix of a truck, from the list or the socket, whichever is newer */
export type Fix = Pick<VehiclePosition, 'lon' | 'lat' | 'speedKmh' | 'heading' | 'time'>

/**
 * The desk's fleet map, live: the trucks' newest fixes over the desk's one socket (subscribed to
 * the town while the map is open, unsubscribed when it closes) and the truck followed. An
 * emergency (SOS) that arrives is the truck the map goes to, whatever it was doing: the same
 * `alerts` push the wall follows an emergency from.
 */
export const useFleetLiveStore = defineStore('desk-fleet-live', () => {
  const fixes = shallowRef(new Map<number, Fix>())
  const followId = ref<number | null>(null)
  /** the emergency the map last jumped to (its alert), shown until the user moves on */
  const emergency = ref<VehicleAlert | null>(null)
  const subscribed = ref(false)
  const emergencyListeners = new Set<(a: VehicleAlert) => void>()
  const seenEmergencies = new Set<number>()
  let stopListening: (() => void) | null = null

  function seed(list: VehicleSummary[]): void {
    const next = new Map(fixes.value)
    for (const v of list) {
      const p = v.position
      const known = next.get(v.id)
      if (p && (!known || known.time < p.time)) next.set(v.id, { lon: p.lon, lat: p.lat, speedKmh: p.speedKmh, heading: p.heading, time: p.time })
    }
    fixes.value = next
  }

  function applyPositions(batch: VehiclePosition[]): void {
    const map = fixes.value
    for (const p of batch) {
      const known = map.get(p.vehicleId)
      // a late fix never moves a truck backwards
      if (known && known.time >= p.time) continue
      map.set(p.vehicleId, { lon: p.lon, lat: p.lat, speedKmh: p.speedKmh, heading: p.heading, time: p.time })
    }
    triggerRef(fixes)
  }

  function applyAlerts(list: VehicleAlert[]): void {
    for (const a of list) {
      if (a.kind !== 'emergency' || a.state !== 'open' || seenEmergencies.has(a.id)) continue
      seenEmergencies.add(a.id)
      // bounded: a desk left open for months remembers the newest few hundred
      if (seenEmergencies.size > 500) seenEmergencies.delete(seenEmergencies.values().next().value as number)
      emergency.value = a
      followId.value = a.vehicleId
      emergencyListeners.forEach((f) => f(a))
    }
  }

  function start(): void {
    if (stopListening) return
    const live = useLiveStore()
    stopListening = live.listen({ positions: applyPositions, alerts: applyAlerts }, (s: Socket) => {
      s.emit('subscribe', { scope: 'town' }, (r: { ok: boolean }) => (subscribed.value = r?.ok === true))
    })
  }
  function stop(): void {
    stopListening?.()
    stopListening = null
    useLiveStore().emit('unsubscribe')
    subscribed.value = false
    followId.value = null
    emergency.value = null
  }
  function onEmergency(f: (a: VehicleAlert) => void): () => void {
    emergencyListeners.add(f)
    return () => emergencyListeners.delete(f)
  }
  return { fixes, followId, emergency, subscribed, seed, applyPositions, applyAlerts, start, stop, onEmergency }
})

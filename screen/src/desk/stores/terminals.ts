import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { VehicleSummary } from '../../../../geo/vehicles.ts'
import { deleteJson, getJson, postJson } from '../../shared/api.ts'

export interface Terminal {
  phone: string
  vehicleId: number
  plate: string
  protocol: 'jt808'
  crs: 'wgs84' | 'gcj02'
  device: Record<string, unknown>
  registered: boolean
  registeredAt: string | null
  lastSeenAt: string | null
  createdBy: string
  createdAt: string
}

/** JT/T 808 terminals bound to trucks (admin): bind, unbind, and reset a registration. */
export const useTerminalStore = defineStore('deskTerminals', () => {
  const terminals = shallowRef<Terminal[]>([])
  const vehicles = shallowRef<VehicleSummary[]>([])

  async function load(): Promise<void> {
    const [t, v] = await Promise.all([getJson<Terminal[]>('/api/terminals'), getJson<VehicleSummary[]>('/api/vehicles')])
    terminals.value = t
    vehicles.value = v
  }
  async function bind(phone: string, vehicleId: number, crs: 'wgs84' | 'gcj02'): Promise<void> {
    await postJson('/api/terminals', { phone, vehicleId, protocol: 'jt808', crs })
    await load()
  }
  async function unbind(phone: string): Promise<void> {
    await deleteJson(`/api/terminals/${phone}`)
    await load()
  }
  async function reset(phone: string): Promise<void> {
    await postJson(`/api/terminals/${phone}/reset`)
    await load()
  }
  return { terminals, vehicles, load, bind, unbind, reset }
})

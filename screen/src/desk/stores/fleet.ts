import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VehicleMedia, VehicleSummary } from '../../../../geo/vehicles.ts'
import { getJson, postJson, putJson } from '../../shared/api.ts'

export interface FleetTerminal { phone: string; vehicleId: number; plate: string; lastSeenAt: string | null }
export type Parameters = Partial<Record<'defaultReportIntervalS' | 'heartbeatS' | 'maxSpeedKmh' | 'overspeedDurationS' | 'sleepReportIntervalS', number>>

/** 车辆管理: the trucks, their terminals, camera photos and parameters, for the command center. */
export const useFleetStore = defineStore('desk-fleet', () => {
  const vehicles = shallowRef<VehicleSummary[]>([])
  const terminals = shallowRef(new Map<number, FleetTerminal>())
  const selected = ref<number | null>(null)
  const media = shallowRef<VehicleMedia[]>([])

  async function load(): Promise<void> {
    const [list, terms] = await Promise.all([getJson<VehicleSummary[]>('/api/vehicles'), getJson<FleetTerminal[]>('/api/terminals')])
    vehicles.value = list
    terminals.value = new Map(terms.map((t) => [t.vehicleId, t]))
    if (selected.value === null && list.length) await select(list[0].id)
  }
  async function select(id: number): Promise<void> {
    selected.value = id
    media.value = []
    media.value = await getJson<VehicleMedia[]>(`/api/vehicles/${id}/media?limit=8`)
  }
  async function snapshot(id: number): Promise<VehicleMedia> {
    const m = await postJson<VehicleMedia>(`/api/vehicles/${id}/snapshot`, { channel: 1 })
    if (selected.value === id) media.value = [m, ...media.value.filter((x) => x.id !== m.id)].slice(0, 8)
    return m
  }
  const track = (id: number, intervalS: number, minutes: number) => postJson(`/api/vehicles/${id}/tracking`, { intervalS, minutes })
  const readParameters = (phone: string) => getJson<{ parameters: Parameters }>(`/api/terminals/${phone}/parameters`).then((r) => r.parameters)
  const writeParameters = (phone: string, p: Parameters) => putJson<{ parameters: Parameters }>(`/api/terminals/${phone}/parameters`, p).then((r) => r.parameters)
  const writeAll = (p: Parameters) => putJson<{ results: { phone: string; ok: boolean; message?: string }[] }>('/api/terminals/parameters', p).then((r) => r.results)
  return { vehicles, terminals, selected, media, load, select, snapshot, track, readParameters, writeParameters, writeAll }
})

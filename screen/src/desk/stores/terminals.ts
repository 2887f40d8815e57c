import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { VehicleSummary } from '../../../../geo/vehicles.ts'
import { deleteJson, getJson, patchJson, postJson } from '../../shared/api.ts'

export interface Terminal {
  phone: string
  vehicleId: number
  plate: string
  protocol: 'jt808'
  crs: 'wgs84' | 'gcj02'
  /** what the installer knows of the unit: a registration must match it */
  expected: UnitFields
  device: Record<string, unknown>
  /** the last refused registration of this ID: what it said, from where, when */
  lastRefusal: { at: string; result: number; from: string; sent: Record<string, unknown>; mismatched: string[] } | null
  registered: boolean
  registeredAt: string | null
  lastSeenAt: string | null
  createdBy: string
  createdAt: string
}

/** 终端ID, 制造商ID, 型号 (optional) and 车牌 as the unit says them in its registration (0x0100) */
export interface UnitFields {
  terminalId: string | null
  makerId: string | null
  model: string | null
  plate: string | null
}
export const UNIT_LABELS: Record<keyof UnitFields, string> = { terminalId: '终端ID', makerId: '制造商ID', model: '型号', plate: '车牌' }
/** 0x8100 results of a refused registration */
export const REFUSAL_LABELS: Record<number, string> = { 2: '车牌不符（车辆不在库）', 3: '终端已注册', 4: '终端信息不符（终端不在库）' }

/** What the admin types: empty optional fields are left out (the plate: the truck's own; the model: not checked). */
const given = (u: UnitFields) => Object.fromEntries(Object.entries(u).map(([k, v]) => [k, v?.trim() || undefined]).filter(([, v]) => v !== undefined))

/** JT/T 808 terminals bound to trucks (admin): bind, unbind, and reset a registration. */
export const useTerminalStore = defineStore('deskTerminals', () => {
  const terminals = shallowRef<Terminal[]>([])
  const vehicles = shallowRef<VehicleSummary[]>([])

  async function load(): Promise<void> {
    const [t, v] = await Promise.all([getJson<Terminal[]>('/api/terminals'), getJson<VehicleSummary[]>('/api/vehicles')])
    terminals.value = t
    vehicles.value = v
  }
  async function bind(phone: string, vehicleId: number, crs: 'wgs84' | 'gcj02', unit: UnitFields): Promise<void> {
    await postJson('/api/terminals', { phone, vehicleId, protocol: 'jt808', crs, ...given(unit) })
    await load()
  }
  /** corrects what a registration must match; an emptied model is no longer checked */
  async function correct(phone: string, unit: UnitFields): Promise<void> {
    await patchJson(`/api/terminals/${phone}`, { ...given(unit), model: unit.model?.trim() || null })
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
  return { terminals, vehicles, load, bind, correct, unbind, reset }
})

import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { RegisteredCollectionPoint, RegisteredPoint, RegisteredVehicle, VehicleKind } from '../../../../geo/fleet.ts'
import { getJson, patchJson, postJson } from '../../shared/api.ts'
import { sendImportFile, tableType, useFileImport } from '../composables/useFileImport.ts'

export interface VehicleFields {
  plate: string
  kind: VehicleKind
  name: string
  driverName: string
  driverPhone: string | null
  villageId: number | null
}
export interface PointFields {
  name: string
  lon: number
  lat: number
  bins?: number
}
export type FacilityTab = 'vehicles' | 'points' | 'stations'

export interface FleetImportReport {
  rows: number
  created: number
  dryRun: boolean
  errors: { row: number; column: string; reason: string }[]
  vehicles?: { row: number; plate: string; kindLabel: string; name: string; driverName: string; driverPhone: string | null; villageName: string | null }[]
  points?: { row: number; name: string; villageName: string; lon: number; lat: number; bins: number }[]
}

export const VEHICLE_IMPORT_HEADER = '车牌号,车辆类型,名称,驾驶员,联系电话,所属村'
export const POINT_IMPORT_HEADER = '名称,所属村,经度,纬度,垃圾桶数'

/**
 * 车辆与设施: the fleet register (trucks, collection points, transfer stations), on the road or
 * retired, kept by the command center; and its imports from sheets.
 */
export const useFleetRegisterStore = defineStore('deskFleetRegister', () => {
  const vehicles = shallowRef<RegisteredVehicle[]>([])
  const points = shallowRef<RegisteredCollectionPoint[]>([])
  const stations = shallowRef<RegisteredPoint[]>([])
  const retired = ref(false)
  const loaded = ref(false)

  async function load(): Promise<void> {
    const q = `?retired=${retired.value ? 1 : 0}`
    const [v, p, s] = await Promise.all([
      getJson<RegisteredVehicle[]>(`/api/fleet/vehicles${q}`),
      getJson<RegisteredCollectionPoint[]>(`/api/fleet/collection-points${q}`),
      getJson<RegisteredPoint[]>(`/api/fleet/transfer-stations${q}`),
    ])
    vehicles.value = v
    points.value = p
    stations.value = s
    loaded.value = true
  }

  const PATHS: Record<FacilityTab, string> = { vehicles: '/api/fleet/vehicles', points: '/api/fleet/collection-points', stations: '/api/fleet/transfer-stations' }
  async function save<T extends { id: number }>(tab: FacilityTab, id: number | null, fields: object): Promise<T> {
    const saved = id === null ? await postJson<T>(PATHS[tab], fields) : await patchJson<T>(`${PATHS[tab]}/${id}`, fields)
    await load()
    return saved
  }
  async function retire(tab: FacilityTab, id: number): Promise<void> {
    await postJson(`${PATHS[tab]}/${id}/retire`)
    await load()
  }

  const importer = (path: string) => useFileImport(
    (f: File, dryRun: boolean, crs: 'wgs84' | 'gcj02' = 'wgs84') =>
      sendImportFile<FleetImportReport>(`/api/imports/${path}?dryRun=${dryRun ? 1 : 0}&crs=${crs}`, f, tableType(f)),
    (r) => r.errors.length > 0,
    () => load(),
  )
  const vehicleImport = importer('vehicles')
  const pointImport = importer('collection-points')

  return { vehicles, points, stations, retired, loaded, load, save, retire, vehicleImport, pointImport }
})

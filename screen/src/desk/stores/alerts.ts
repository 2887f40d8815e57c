import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VehicleAlert } from '../../../../geo/vehicles.ts'
import { getJson, postJson } from '../../shared/api.ts'

/** Vehicle alerts for the dispatcher: acknowledge (seen, being handled) and close. */
export const useAlertStore = defineStore('deskAlerts', () => {
  const alerts = shallowRef<VehicleAlert[]>([])
  const view = ref<'open' | 'all'>('open')

  async function load(): Promise<void> {
    alerts.value = await getJson<VehicleAlert[]>(`/api/vehicles/alerts?view=${view.value}&limit=200`)
  }
  async function handle(id: number, action: 'acknowledge' | 'close'): Promise<void> {
    await postJson(`/api/vehicles/alerts/${id}/${action}`)
    await load()
  }
  return { alerts, view, load, handle }
})

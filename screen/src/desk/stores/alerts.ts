import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VehicleAlert } from '../../../../geo/vehicles.ts'
import { getJson, postJson } from '../../shared/api.ts'

/** Vehicle alerts for the dispatcher: acknowledge (seen, being handled) and close; pushes keep the list live. */
export const useAlertStore = defineStore('deskAlerts', () => {
  const alerts = shallowRef<VehicleAlert[]>([])
  const view = ref<'open' | 'all'>('open')

  async function load(): Promise<void> {
    alerts.value = await getJson<VehicleAlert[]>(`/api/vehicles/alerts?view=${view.value}&limit=200`)
  }
  /** a pushed alert: its row changes, or a new one comes first (the list is what the view asks for) */
  function apply(incoming: VehicleAlert[]): void {
    const next = new Map(alerts.value.map((a) => [a.id, a]))
    for (const a of incoming) {
      if (view.value === 'open' && a.state === 'closed') next.delete(a.id)
      else next.set(a.id, a)
    }
    alerts.value = [...next.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt) || b.id - a.id).slice(0, 200)
  }
  async function handle(id: number, action: 'acknowledge' | 'close'): Promise<void> {
    await postJson(`/api/vehicles/alerts/${id}/${action}`)
    await load()
  }
  return { alerts, view, load, handle, apply }
})

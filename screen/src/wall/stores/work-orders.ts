import { defineStore } from 'pinia'
import { shallowRef, watch } from 'vue'
import type { DepartmentRank, GridWorkerRank, VillageRank, WallWorkOrder, WorkOrder, WorkOrderKpis } from '../../../../geo/work-orders.ts'
import { authHeaders, getJson } from '../../shared/api.ts'
import { ALERT_LABELS, type VehicleAlert } from '../../../../geo/vehicles.ts'
import { useFreshnessStore } from './freshness.ts'
import { useScopeStore } from './scope.ts'
import { useGeoStore } from './geo.ts'
import { feedForScope, seededFeed, type FeedItem } from '../lib/feed.ts'

export type { FeedItem }

/** the feed and the markers are bounded: the wall runs for days */
const FEED_MAX = 40
const MARKERS_MAX = 300
const KPI_DAYS = 365

/**
 * Orders arrive whole for staff on the wall, and for the wall's own display account without
 * free text and, in sensitive categories, at their grid's label point (WallWorkOrder).
 *
 * Events and work orders for the selected scope: the loop's KPIs, the newest orders on the map,
 * and a live feed fed by workOrder pushes (new, overdue, closed), kept to the newest FEED_MAX.
 */
export const useWorkOrderStore = defineStore('workOrders', () => {
  const scope = useScopeStore()
  const geo = useGeoStore()
  const fresh = useFreshnessStore()
  const kpis = shallowRef<WorkOrderKpis | null>(null)
  const orders = shallowRef<WallWorkOrder[]>([])
  const feed = shallowRef<FeedItem[]>([])
  const ranking = shallowRef<VillageRank[]>([])
  const workerRanking = shallowRef<GridWorkerRank[]>([])
  /** the county departments the town sends orders up to (乡呼县应), as the town evaluates them */
  const departmentRanking = shallowRef<DepartmentRank[]>([])
  const selected = shallowRef<WallWorkOrder | null>(null)
  /** the heatmap of a year's reports in the scope, instead of the newest markers */
  const heatOn = shallowRef(false)
  const heat = shallowRef<[number, number][]>([])
  /** the scope the KPIs and markers are for: until the new scope's arrive, the panel says it is loading (9) */
  const loadedKey = shallowRef<string | null>(null)
  let seq = 0

  async function refreshHeat(): Promise<void> {
    if (!heatOn.value) return
    try {
      heat.value = (await getJson<{ points: [number, number][] }>(`/api/work-orders/heat?scope=${encodeURIComponent(scope.key)}&days=${KPI_DAYS}`)).points
    } catch {
      /* the markers stay */
    }
  }
  function toggleHeat(): void {
    heatOn.value = !heatOn.value
    if (heatOn.value) void refreshHeat()
    else heat.value = []
  }

  const filter = () => {
    const s = scope.current
    if (s.kind === 'town' && s.id !== null) return `&town=${s.id}`
    return s.kind === 'village' ? `&village=${s.id}` : s.kind === 'grid' ? `&grid=${s.id}` : ''
  }
  const inScope = (o: WallWorkOrder) => {
    const s = scope.current
    if (s.kind === 'county' || (s.kind === 'town' && s.id === null)) return true
    if (s.kind === 'town') return geo.townOf({ kind: 'village', id: o.villageId }) === s.id
    return (s.kind === 'village' && (o.villageId === s.id || o.assigneeVillageId === s.id)) || (s.kind === 'grid' && o.gridId === s.id)
  }
  /**
   * The league tables (擂台赛) rank a town's villages: a county's wall asks for the town it is
   * in, or at county scope for the county's; a town's wall for its own (the server's default).
   */
  const leagueScope = () => {
    if (!scope.countyMode) return ''
    const town = geo.currentTown
    return `&scope=${town === null ? 'county' : `town:${town}`}`
  }

  async function refresh(): Promise<void> {
    const mine = ++seq
    const key = scope.key
    try {
      const [k, list, ranks] = await Promise.all([
        getJson<WorkOrderKpis>(`/api/work-orders/kpis?scope=${encodeURIComponent(scope.key)}&days=${KPI_DAYS}`),
        getJson<WallWorkOrder[]>(`/api/work-orders?limit=${MARKERS_MAX}${filter()}`),
        getJson<{ villages: VillageRank[]; gridWorkers: GridWorkerRank[]; departments?: DepartmentRank[] }>(`/api/work-orders/rankings?days=${KPI_DAYS}${leagueScope()}`)
          .catch(() => ({ villages: [], gridWorkers: [], departments: [] })),
      ])
      if (mine !== seq) return
      kpis.value = k
      orders.value = list
      loadedKey.value = key
      ranking.value = ranks.villages
      workerRanking.value = ranks.gridWorkers
      departmentRanking.value = ranks.departments ?? []
      // what was pushed in the scope, then the scope's newest orders (../lib/feed.ts)
      feed.value = seededFeed(feed.value, list, inScope, FEED_MAX)
      fresh.ok('workOrders')
    } catch (err) {
      // the next refresh tries again; meanwhile the wall says its figures are not current
      if (mine === seq) fresh.fail('workOrders', (err as Error).message)
    }
  }

  /** A workOrder push: into the feed, onto the map. */
  function apply(order: WallWorkOrder): void {
    if (!inScope(order)) return
    const previous = orders.value.find((o) => o.id === order.id)
    const kind: FeedItem['kind'] = !previous && order.state === 'asked' ? 'new' : order.state === 'closed' ? 'closed' : order.overdue && !previous?.overdue ? 'overdue' : 'moved'
    feed.value = [{ key: `${order.id}-${order.state}-${order.stateSince}-${order.escalationLevel}`, kind, order, at: Date.now() }, ...feed.value.filter((f) => f.order.id !== order.id)].slice(0, FEED_MAX)
    orders.value = [order, ...orders.value.filter((o) => o.id !== order.id)].slice(0, MARKERS_MAX)
    if (selected.value?.id === order.id) void open(order.id)
  }

  /**
   * Files a vehicle alert as a work order (source vehicleAlert), once: the alert's id is the
   * order's external number. Returns an error message, or null.
   */
  async function fromVehicleAlert(alert: VehicleAlert): Promise<string | null> {
    if (alert.lon === null || alert.lat === null) return '告警没有位置，不能转工单'
    const res = await fetch('/api/work-orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify({
        category: 'garbage', source: 'vehicleAlert', externalId: `vehicle-alert-${alert.id}`,
        description: `${alert.plate} ${ALERT_LABELS[alert.kind]}：${alert.message}`, lon: alert.lon, lat: alert.lat,
      }),
    })
    const body = (await res.json()) as WorkOrder & { message?: string }
    if (!res.ok) return body.message ?? `转工单失败 (${res.status})`
    apply(body)
    await open(body.id)
    return null
  }

  async function open(id: number): Promise<void> {
    try {
      selected.value = await getJson<WallWorkOrder>(`/api/work-orders/${id}`)
    } catch {
      selected.value = null
    }
  }

  watch(() => scope.key, () => {
    feed.value = feedForScope(feed.value, inScope)
    void refresh()
    void refreshHeat()
  })
  return { kpis, loadedKey, orders, feed, ranking, workerRanking, departmentRanking, selected, heatOn, heat, refresh, apply, open, toggleHeat, fromVehicleAlert }
})

import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import { type InboxTab, type WorkOrder, type WorkOrderSource, type WorkOrderState } from '../../../../geo/work-orders.ts'
import { getJson } from '../../shared/api.ts'
import { useAuthStore } from '../../shared/stores/auth.ts'
import { beep } from '../beep.ts'
import { dayStart, nextDayStart } from '../format.ts'
import { inboxTabsFor, isCenter, type DeskUser } from '../roles.ts'
import { useLiveStore } from './live.ts'
import { useLookupStore } from './lookups.ts'
import { useToastStore } from './toast.ts'

const PAGE = 50

export interface InboxFilters {
  /** a county's town (镇); its villages only */
  town: number | null
  village: number | null
  grid: number | null
  category: string
  source: WorkOrderSource | ''
  state: WorkOrderState | ''
  /** YYYY-MM-DD, Beijing days, both inclusive */
  from: string
  to: string
  q: string
}
const emptyFilters = (): InboxFilters => ({ town: null, village: null, grid: null, category: '', source: '', state: '', from: '', to: '', q: '' })

/** where a role's work starts: the tab it opens on */
export function defaultTab(role: string | undefined): InboxTab {
  if (isCenter(role)) return 'toDispatch'
  if (role === 'leader') return 'toReview'
  return 'toHandle'
}

/**
 * The tabs that are this user's own work: a push that lands in one of them chimes. The command
 * center dispatches, reviews and replies; a village, grid or department handles.
 */
function workTabs(role: string | undefined): InboxTab[] {
  // a resident's 1 or 2 stars is the center's to look at (重办 or not)
  if (isCenter(role)) return ['toDispatch', 'toReview', 'toReply', 'dissatisfied']
  if (role === 'leader') return ['toReview']
  return ['toHandle']
}

/**
 * The inbox: counts per tab, the current tab's orders with filters and keyset paging, and live
 * pushes. A pushed order is placed by the same rules the server's tabs use (api/work-orders/
 * policy.ts tabCondition), so it appears in, or leaves, the list without a reload; the counts
 * are fetched again, since only the server knows them for sure.
 */
export const useInboxStore = defineStore('deskInbox', () => {
  const auth = useAuthStore()
  const toast = useToastStore()
  const lookups = useLookupStore()
  const counts = ref<Record<InboxTab, number> | null>(null)
  const tab = ref<InboxTab>('all')
  const filters = reactive<InboxFilters>(emptyFilters())
  const orders = shallowRef<WorkOrder[]>([])
  const loading = ref(false)
  const more = ref(false)
  /** orders that arrived or moved into the user's work since they last looked */
  const fresh = ref(new Set<number>())
  const chimes = ref(0)
  /** the last state seen of each order, to tell a move from a repeat */
  const seen = new Map<number, string>()
  let seq = 0
  let countTimer: ReturnType<typeof setTimeout> | undefined
  let unlisten: (() => void)[] = []

  const user = () => auth.user as DeskUser | null

  function query(before?: number): string {
    const p = new URLSearchParams({ tab: tab.value, limit: String(PAGE) })
    const f = filters
    if (f.town) p.set('town', String(f.town))
    if (f.village) p.set('village', String(f.village))
    if (f.grid) p.set('grid', String(f.grid))
    if (f.category) p.set('category', f.category)
    if (f.source) p.set('source', f.source)
    if (f.state) p.set('state', f.state)
    if (f.from) p.set('from', dayStart(f.from))
    if (f.to) p.set('to', nextDayStart(f.to))
    if (f.q.trim()) p.set('q', f.q.trim().slice(0, 60))
    if (before) p.set('before', String(before))
    return p.toString()
  }

  /** the list's filters and tab, for its spreadsheet (GET /api/work-orders/export.xlsx): every row, not a page */
  function exportQuery(): string {
    const p = new URLSearchParams(query())
    p.delete('limit')
    return p.toString()
  }

  async function refreshCounts(): Promise<void> {
    try {
      counts.value = await getJson<Record<InboxTab, number>>('/api/work-orders/inbox')
    } catch (err) {
      toast.fail(err, '工单数量读取失败：')
    }
  }

  async function reload(): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const list = await getJson<WorkOrder[]>(`/api/work-orders?${query()}`)
      if (mine !== seq) return
      orders.value = list
      more.value = list.length === PAGE
      for (const o of list) if (!seen.has(o.id)) seen.set(o.id, key(o))
    } catch (err) {
      if (mine === seq) toast.fail(err, '工单列表读取失败：')
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** 加载更多: the next page after the last row (ids only go down, so no row repeats or slips) */
  async function loadMore(): Promise<void> {
    const last = orders.value[orders.value.length - 1]
    if (!last || loading.value) return
    const mine = ++seq
    loading.value = true
    try {
      const list = await getJson<WorkOrder[]>(`/api/work-orders?${query(last.id)}`)
      if (mine !== seq) return
      orders.value = [...orders.value, ...list]
      more.value = list.length === PAGE
    } catch (err) {
      if (mine === seq) toast.fail(err, '加载更多失败：')
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function selectTab(t: InboxTab): void {
    tab.value = t
    void reload()
  }
  function resetFilters(): void {
    Object.assign(filters, emptyFilters())
    void reload()
  }

  const key = (o: WorkOrder) => `${o.state}|${o.assigneeVillageId}|${o.assigneeDepartmentId}`
  /**
   * Orders this user handled at this desk: their review is someone else's (the server leaves them
   * out of her 待审核), and a push does not say who handled an order. Forgotten when a review
   * sends one back, since its next handling may be another person's.
   */
  const handledHere = new Set<number>()
  function noteHandled(id: number): void {
    handledHere.add(id)
    markSeen(id)
    if (tab.value === 'toReview') orders.value = orders.value.filter((x) => x.id !== id)
  }

  function inTab(o: WorkOrder, t: InboxTab): boolean {
    const u = user()
    switch (t) {
      case 'toDispatch': return o.state === 'asked'
      case 'toHandle': {
        if (o.state !== 'dispatched' && o.state !== 'transferred') return false
        if (u?.role === 'department') return o.assigneeDepartmentId === u.departmentId
        if (u?.role === 'villageCadre') return o.assigneeVillageId === u.villageId
        if (u?.role === 'gridWorker') return o.assigneeVillageId === o.villageId && o.gridId === u.gridId
        return true
      }
      case 'toReview': return o.state === 'handled' && !handledHere.has(o.id)
      case 'toReply': return o.state === 'reviewed'
      case 'overdue': return o.overdue
      case 'dissatisfied': return o.satisfaction !== null && o.satisfaction <= 2
      case 'all': return true
    }
  }

  function passesFilters(o: WorkOrder): boolean {
    const f = filters
    if (f.town && lookups.villages.find((v) => v.id === o.villageId)?.townId !== f.town) return false
    if (f.village && o.villageId !== f.village) return false
    if (f.grid && o.gridId !== f.grid) return false
    if (f.category && o.category !== f.category) return false
    if (f.source && o.source !== f.source) return false
    if (f.state && o.state !== f.state) return false
    if (f.from && Date.parse(o.createdAt) < Date.parse(dayStart(f.from))) return false
    if (f.to && Date.parse(o.createdAt) >= Date.parse(nextDayStart(f.to))) return false
    const q = f.q.trim()
    if (q && !(o.description.includes(q) || o.address.includes(q) || o.externalId === q || String(o.id) === q)) return false
    return true
  }

  function onPush(o: WorkOrder): void {
    if (o.state === 'dispatched' || o.state === 'transferred') handledHere.delete(o.id)
    const before = seen.get(o.id)
    const moved = before !== key(o)
    seen.set(o.id, key(o))
    // an unhappy order chimes when it is rated, not again when the center reopens it
    if (moved && workTabs(user()?.role).some((t) => inTab(o, t) && (t !== 'dissatisfied' || o.state === 'closed'))) {
      fresh.value = new Set(fresh.value).add(o.id)
      chimes.value++
      beep()
    }
    const rest = orders.value.filter((x) => x.id !== o.id)
    if (inTab(o, tab.value) && passesFilters(o)) {
      // newest first, as the server lists them
      const at = rest.findIndex((x) => x.id < o.id)
      const wasShown = rest.length !== orders.value.length
      if (wasShown || at !== -1 || !more.value) orders.value = at === -1 ? [...rest, o] : [...rest.slice(0, at), o, ...rest.slice(at)]
    } else if (rest.length !== orders.value.length) {
      orders.value = rest
    }
    clearTimeout(countTimer)
    countTimer = setTimeout(() => void refreshCounts(), 400)
  }

  function markSeen(id: number): void {
    if (!fresh.value.has(id)) return
    const next = new Set(fresh.value)
    next.delete(id)
    fresh.value = next
  }
  function markAllSeen(): void {
    fresh.value = new Set()
  }

  function start(): void {
    const live = useLiveStore()
    tab.value = defaultTab(user()?.role)
    unlisten = [live.onOrder(onPush), live.onReconnect(() => void Promise.all([refreshCounts(), reload()]))]
    void refreshCounts()
    void reload()
  }
  function stop(): void {
    unlisten.forEach((f) => f())
    unlisten = []
    orders.value = []
    counts.value = null
    fresh.value = new Set()
    seen.clear()
    handledHere.clear()
    Object.assign(filters, emptyFilters())
  }

  const freshCount = computed(() => fresh.value.size)
  // only the tabs that can hold this role's work (roles.ts)
  const tabs = computed(() => inboxTabsFor(user()?.role))

  return {
    counts, tab, filters, orders, loading, more, fresh, freshCount, chimes, tabs,
    refreshCounts, reload, loadMore, selectTab, resetFilters, markSeen, markAllSeen, noteHandled, start, stop, exportQuery,
  }
})

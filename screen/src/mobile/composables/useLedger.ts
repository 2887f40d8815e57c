import { computed, ref, shallowRef, type Ref } from 'vue'
import { ApiError, getJson, reasonOf } from '../../shared/api.ts'
import type { PendingPopulation } from './usePendingPopulation.ts'

/** one row of GET /api/ledgers: a person once per ledger group she is in (masked) */
export interface LedgerEntry {
  residentId: number
  householdId: number
  gridName: string
  name: string
  ageBand: string
  gender: string
  kind: 'key' | 'care'
  tag: string
  periodDays: number
  lastFollowUp: string | null
  nextDue: string
  overdue: boolean
}

/** a ledger person with all her groups: due when the earliest of them is */
export interface LedgerPerson {
  residentId: number
  householdId: number
  name: string
  gender: string
  ageBand: string
  tags: { kind: 'key' | 'care'; tag: string }[]
  lastFollowUp: string | null
  nextDue: string
  overdue: boolean
}

export type VisitMark = 'overdue' | 'due' | 'visited'
/** the marks' colours on the map and in its legend */
export const MARK_COLOURS: Record<VisitMark | 'none', string> = { overdue: '#f87171', due: '#f59e0b', visited: '#4ade80', none: '#22d3ee' }
export const MARK_LABELS: Record<VisitMark, string> = { overdue: '超期未访', due: '本月应访', visited: '本月已访' }

const HOUR = 3_600_000
/** the Beijing calendar month around `now`, as instants: [first midnight, next month's first midnight) */
export function beijingMonth(now = Date.now()): { start: number; end: number; key: string } {
  const b = new Date(now + 8 * HOUR)
  const y = b.getUTCFullYear()
  const m = b.getUTCMonth()
  return { start: Date.UTC(y, m, 1) - 8 * HOUR, end: Date.UTC(y, m + 1, 1) - 8 * HOUR, key: `${y}-${String(m + 1).padStart(2, '0')}` }
}

export function groupLedger(entries: LedgerEntry[]): LedgerPerson[] {
  const people = new Map<number, LedgerPerson>()
  for (const e of entries) {
    const p = people.get(e.residentId)
    if (!p) {
      people.set(e.residentId, {
        residentId: e.residentId, householdId: e.householdId, name: e.name, gender: e.gender, ageBand: e.ageBand,
        tags: [{ kind: e.kind, tag: e.tag }], lastFollowUp: e.lastFollowUp, nextDue: e.nextDue, overdue: e.overdue,
      })
      continue
    }
    p.tags.push({ kind: e.kind, tag: e.tag })
    if (e.nextDue < p.nextDue) p.nextDue = e.nextDue
    p.overdue ||= e.overdue
  }
  for (const p of people.values()) p.tags.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'key' ? -1 : 1))
  return [...people.values()]
}

/** 本月应访: overdue first, then by when each is due; those due after this month are left out */
export function dueThisMonth(people: LedgerPerson[], now = Date.now()): LedgerPerson[] {
  const { end } = beijingMonth(now)
  return people
    .filter((p) => p.overdue || Date.parse(p.nextDue) < end)
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.nextDue.localeCompare(b.nextDue) || a.residentId - b.residentId)
}

/**
 * The map's visiting marks: red where someone is overdue; else green where the household was
 * followed up this month (its ledger people's last follow-up, or a visit from this phone); else
 * amber where someone falls due this month.
 */
export function visitMarks(people: LedgerPerson[], visited: Set<number>, now = Date.now()): Map<number, VisitMark> {
  const { start, end } = beijingMonth(now)
  const seen = new Set(visited)
  for (const p of people) if (p.lastFollowUp && Date.parse(p.lastFollowUp) >= start) seen.add(p.householdId)
  const marks = new Map<number, VisitMark>()
  for (const hid of seen) marks.set(hid, 'visited')
  for (const p of people) {
    if (p.overdue) marks.set(p.householdId, 'overdue')
    else if (!seen.has(p.householdId) && Date.parse(p.nextDue) < end && marks.get(p.householdId) !== 'overdue') marks.set(p.householdId, 'due')
  }
  return marks
}

/**
 * Households this phone visited this month (a visit to a household with no ledger people shows
 * nowhere else the phone can read): household ids only, per user, forgotten when the month turns.
 */
function visitedStore(username: () => string) {
  const key = () => `shuzhi.m.visited.${username()}`
  const read = (): number[] => {
    try {
      const v = JSON.parse(localStorage.getItem(key()) ?? 'null') as { month: string; ids: number[] } | null
      return v?.month === beijingMonth().key ? v.ids : []
    } catch {
      return []
    }
  }
  const ids = ref<number[]>(read())
  return {
    ids,
    reload: () => (ids.value = read()),
    add(id: number) {
      if (ids.value.includes(id)) return
      ids.value = [...ids.value, id]
      localStorage.setItem(key(), JSON.stringify({ month: beijingMonth().key, ids: ids.value }))
    },
  }
}

/** 台账随访: her grid's ledger people (GET /api/ledgers?grid=), what is due this month, and the map's marks. */
export function useLedger(username: () => string, pending: Ref<PendingPopulation>) {
  const people = shallowRef<LedgerPerson[]>([])
  const error = ref<string | null>(null)
  const loadedAt = ref(Date.now())
  const visited = visitedStore(username)

  async function refresh(gridId: number | null | undefined): Promise<void> {
    if (!gridId) return
    try {
      const r = await getJson<{ entries: LedgerEntry[]; total: number }>(`/api/ledgers?grid=${gridId}&limit=500`)
      people.value = groupLedger(r.entries)
      loadedAt.value = Date.now()
      error.value = null
    } catch (err) {
      // offline: the list stays as last loaded
      if (!(err instanceof ApiError && err.status === 0)) error.value = reasonOf(err)
    }
  }

  const due = computed(() => dueThisMonth(people.value, loadedAt.value))
  const overdueCount = computed(() => due.value.filter((p) => p.overdue).length)
  // a follow-up waiting in the outbox counts as done: she was there
  const marks = computed(() => {
    const p = pending.value
    const open = people.value.filter((x) => !p.followUps.has(x.residentId) && !p.wholeVisits.has(x.householdId))
    return visitMarks(open, new Set([...visited.ids.value, ...p.visits]), loadedAt.value)
  })
  return { people, due, overdueCount, marks, error, refresh, markVisited: visited.add, reloadVisited: visited.reload }
}

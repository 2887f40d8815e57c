import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { ALERT_LABELS, type VehicleAlert } from '../../../../geo/vehicles.ts'
import { getJson, postJson } from '../../shared/api.ts'
import { alarmSound } from '../../shared/lib/alarm-sound.ts'
import { beep } from '../beep.ts'
import { notifyInBackground } from '../notify.ts'
import { go } from '../router.ts'
import { useLiveStore } from './live.ts'

/** who reads vehicle alerts at a desk (api/access/policy.ts vehicles.alerts, less the wall's display) */
export const ALERT_READERS = ['admin', 'leader', 'dispatcher', 'villageCadre']
/** who acknowledges them (vehicles.dispatch): the command center */
export const ALERT_HANDLERS = ['admin', 'dispatcher']
/** the open alerts read on start; emergencies are read apart, so none hides behind newer alerts */
const OPEN_READ = 500
/** pushed alerts kept besides; the oldest go first (a desk stays open for days) */
const KEPT = 1000

/**
 * The vehicle alerts a desk must not miss, on every page. Unacknowledged (state open) alerts are
 * read on start and on every reconnect, then kept by the socket's pushes: an emergency (the
 * driver's SOS) shows a red banner with a repeating alarm until someone acknowledges it (确认),
 * and a browser notification while the tab is hidden; other alerts that arrive while the desk is
 * open chime once and wait in an amber line for the command center. The 车辆告警 menu counts
 * what waits, so a reloaded desk shows it too.
 */
export const useAlarmStore = defineStore('deskAlarms', () => {
  const live = useLiveStore()
  /** unacknowledged alerts by id */
  const open = shallowRef(new Map<number, VehicleAlert>())
  /** ids of non-emergency alerts that arrived live since the desk opened, newest last */
  const arrived = ref<number[]>([])
  const handles = ref(false)
  let unlisten: (() => void)[] = []
  /** pushes heard while a read is under way: the read may have been answered before them */
  let heardWhileReading: VehicleAlert[] | null = null
  let loaded = false

  const byNewest = (a: VehicleAlert, b: VehicleAlert) => b.raisedAt.localeCompare(a.raisedAt) || b.id - a.id
  const emergencies = computed(() => [...open.value.values()].filter((a) => a.kind === 'emergency').sort(byNewest))
  const fresh = computed(() => arrived.value.map((id) => open.value.get(id)).filter((a): a is VehicleAlert => !!a && a.kind !== 'emergency').reverse())
  const count = computed(() => open.value.size)

  /**
   * `announce`: after a reconnect, what was raised while the desk was away is announced as if
   * pushed (a chime, the amber line, the notification); on opening, what waits is only shown.
   */
  async function load(announce = false): Promise<void> {
    const heard: VehicleAlert[] = (heardWhileReading = [])
    try {
      const [recent, sos] = await Promise.all([
        getJson<VehicleAlert[]>(`/api/vehicles/alerts?view=open&limit=${OPEN_READ}`),
        getJson<VehicleAlert[]>('/api/vehicles/alerts?view=open&kind=emergency&limit=100'),
      ])
      const next = new Map([...recent, ...sos].filter((a) => a.state === 'open').map((a) => [a.id, a]))
      // right after a reconnect an alert can be pushed before the read's answer lands, and be missing from it
      for (const a of heard) {
        if (a.state === 'open') next.set(a.id, a)
        else next.delete(a.id)
      }
      const known = open.value
      open.value = next
      arrived.value = arrived.value.filter((id) => next.has(id))
      // (once the desk knew what waited: a first read that failed would announce everything at once)
      if (announce && loaded) {
        const missed = [...next.values()].filter((a) => !known.has(a.id))
        missed.forEach((a) => announced(a, false))
        if (missed.length) (missed.some((a) => a.kind === 'emergency') && !handles.value ? alarmSound : beep)()
      }
      loaded = true
    } finally {
      if (heardWhileReading === heard) heardWhileReading = null
    }
  }

  /** `sound`: false when a read announces several at once (one sound for them all) */
  function announced(a: VehicleAlert, sound = true): void {
    if (a.kind === 'emergency') {
      // the banner's repeating alarm is for the handlers; the others hear it once
      if (!handles.value && sound) alarmSound()
      notifyInBackground(`紧急报警 · ${a.plate}`, `${a.message}（请在工作台确认）`, `alert-${a.id}`, () => go('alerts'))
    } else if (handles.value && (a.endedAt === null || a.kind === 'missedPoint')) {
      // conditions that start now; a missed collection point is an event already over
      arrived.value = [...arrived.value.filter((id) => id !== a.id), a.id].slice(-50)
      if (sound) beep()
      notifyInBackground(`车辆告警 · ${a.plate} ${ALERT_LABELS[a.kind] ?? a.kind}`, a.message, `alert-${a.id}`, () => go('alerts'))
    }
  }

  function apply(incoming: VehicleAlert[]): void {
    // (bounded: a read that hangs must not make a flood of pushes pile up)
    if (heardWhileReading && heardWhileReading.length < 2000) heardWhileReading.push(...incoming)
    const next = new Map(open.value)
    for (const a of incoming) {
      const isNew = !next.has(a.id)
      if (a.state !== 'open') {
        next.delete(a.id)
        continue
      }
      next.set(a.id, a)
      if (isNew) announced(a)
    }
    // bounded: the oldest unacknowledged alerts beyond KEPT are dropped (the menu's count then says at least)
    open.value = next.size > KEPT ? new Map([...next.values()].sort(byNewest).slice(0, KEPT).map((a) => [a.id, a])) : next
    arrived.value = arrived.value.filter((id) => open.value.has(id))
  }

  async function acknowledge(id: number): Promise<void> {
    apply([await postJson<VehicleAlert>(`/api/vehicles/alerts/${id}/acknowledge`)])
  }

  /** starts for the roles that read alerts; a failed first read is tried again on the next reconnect */
  function start(role: string | undefined): Promise<void> {
    stop()
    if (!role || !ALERT_READERS.includes(role)) return Promise.resolve()
    handles.value = ALERT_HANDLERS.includes(role)
    unlisten = [live.onAlerts(apply), live.onReconnect(() => void load(true).catch(() => {}))]
    return load()
  }
  function stop(): void {
    unlisten.forEach((f) => f())
    unlisten = []
    open.value = new Map()
    arrived.value = []
    heardWhileReading = null
    loaded = false
    handles.value = false
  }
  return { open, emergencies, fresh, count, handles, start, stop, load, apply, acknowledge }
})

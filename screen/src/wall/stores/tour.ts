import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'
import { nextIndex, nightDim, parseTourScope, PAUSE_MS, resumeIndex, stepEndsAt, type Tour } from '../lib/tour.ts'
import { useScopeStore } from './scope.ts'
import { useVehicleStore } from './vehicles.ts'

const RESUME_KEY = 'shuzhi.wall.tourAt'
/** the admin may change a tour while walls run it: they read the tours again this often */
const RELOAD_TOURS_MS = 5 * 60_000

/**
 * 轮播: a wall opened with /?tour=<name> runs that tour for ever — each step's scope (town, a
 * village, a grid, or a followed truck) for its dwell time. Anyone touching the wall (pointer,
 * wheel, key) holds the tour; a minute after the last touch it goes on with the next step.
 * One timer, restarted at every step and touch; the address always holds the scope shown, so
 * a reload lands there.
 */
export const useTourStore = defineStore('tour', () => {
  const scope = useScopeStore()
  const vehicles = useVehicleStore()
  /** the tour asked for in the address, if any: it wins over the one the admin assigns */
  const urlName = new URLSearchParams(window.location.search).get('tour')
  /** the tour this wall runs: the address's, or the one assigned to it on the desk (大屏管理) */
  const name = ref<string | null>(urlName)
  const tour = shallowRef<Tour | null>(null)
  const index = ref(0)
  const startedAt = ref(0)
  const pausedUntil = ref(0)
  /** when someone last touched the wall (also read by the upkeep store for its quiet moments) */
  const lastTouch = ref(0)
  const problem = ref<string | null>(null)
  /** the truck this tour follows now, so the tour lets go of it (and only it) at the next step */
  const following = ref<number | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined
  let reloadTimer: ReturnType<typeof setInterval> | undefined
  const running = ref(false)
  /** asked before every step: a pending reload (new build, heap) happens here, between two steps */
  let beforeStep: ((resumeAt: number) => boolean) | null = null

  const step = computed(() => tour.value?.steps[index.value] ?? null)
  /** the scope as the wall reports it: a followed truck is vehicle:ID */
  const reportedScope = computed(() => (following.value !== null && step.value?.scope.startsWith('vehicle:') ? step.value.scope : scope.key))

  async function load(): Promise<void> {
    const wanted = name.value
    if (!wanted) return
    try {
      const tours = await getJson<Tour[]>('/api/tours')
      if (wanted !== name.value) return // another tour was assigned meanwhile
      const found = tours.find((t) => t.name === wanted) ?? null
      problem.value = found ? null : `轮播“${wanted}”不存在`
      const had = tour.value
      tour.value = found && found.steps.length ? found : null
      if (!had && tour.value && running.value) {
        const saved = readSaved()
        show(resumeIndex(saved, wanted, tour.value.steps.length, Date.now()))
      } else if (tour.value && index.value >= tour.value.steps.length) index.value = 0
      if (!tour.value) clearTimeout(timer)
    } catch (err) {
      // tours are read again in a few minutes; a wall that has its tour keeps running it
      if (!tour.value) problem.value = `轮播读取失败：${(err as Error).message}`
    }
  }

  function readSaved(): { tour: string; index: number; at: number } | null {
    try {
      const raw = sessionStorage.getItem(RESUME_KEY)
      sessionStorage.removeItem(RESUME_KEY)
      return raw ? (JSON.parse(raw) as { tour: string; index: number; at: number }) : null
    } catch {
      return null
    }
  }

  /** shows step i now and sets the timer for the next */
  function show(i: number): void {
    const t = tour.value
    if (!t) return
    index.value = i
    startedAt.value = Date.now()
    const s = t.steps[i]
    const target = parseTourScope(s.scope)
    if (following.value !== null && vehicles.followId === following.value) vehicles.followId = null
    following.value = null
    if (target?.kind === 'vehicle') {
      // a followed truck: the panels show the wall's whole area, the map keeps the truck in the centre
      scope.go(scope.root, 'replace')
      vehicles.followId = target.id
      following.value = target.id
    } else if (target?.kind === 'county' && !scope.countyMode) {
      // a tour made for the county's wall, shown on a town's: its whole area instead (the county is not its to show)
      scope.go(scope.root, 'replace')
    } else if (target) scope.go(target, 'replace')
    schedule()
  }

  function schedule(): void {
    clearTimeout(timer)
    const s = step.value
    if (!running.value || !s) return
    const due = stepEndsAt(startedAt.value, s.dwellSeconds, pausedUntil.value)
    timer = setTimeout(advance, Math.max(50, due - Date.now()))
  }

  function advance(): void {
    const t = tour.value
    if (!t) return
    const due = stepEndsAt(startedAt.value, step.value?.dwellSeconds ?? 0, pausedUntil.value)
    if (Date.now() < due - 20) return schedule() // touched meanwhile
    const next = nextIndex(index.value, t.steps.length)
    if (beforeStep?.(next)) return // the wall reloads now, and resumes at `next`
    show(next)
  }

  /** a person used the wall: hold the tour for a minute after this touch */
  function touch(): void {
    lastTouch.value = Date.now()
    if (!running.value) return
    pausedUntil.value = lastTouch.value + PAUSE_MS
    schedule()
  }
  const onTouch = (e: Event) => {
    if (e.isTrusted) touch()
  }
  const EVENTS = ['pointerdown', 'wheel', 'keydown', 'touchstart'] as const

  let started = false
  function start(): void {
    if (started) return
    started = true
    for (const e of EVENTS) window.addEventListener(e, onTouch, { capture: true, passive: true })
    if (!name.value) return
    running.value = true
    void load()
    reloadTimer = setInterval(() => void load(), RELOAD_TOURS_MS)
  }

  /**
   * The tour the admin assigned to this wall (its health report's answer, or a command over the
   * socket); null: none. A tour in the address wins; the same name changes nothing.
   */
  function assign(next: string | null): void {
    if (urlName || next === name.value) return
    name.value = next
    clearTimeout(timer)
    if (following.value !== null && vehicles.followId === following.value) vehicles.followId = null
    following.value = null
    tour.value = null
    index.value = 0
    problem.value = null
    if (!next) {
      running.value = false
      clearInterval(reloadTimer)
      reloadTimer = undefined
      return
    }
    if (!started) return // start() runs it
    running.value = true
    void load()
    reloadTimer ??= setInterval(() => void load(), RELOAD_TOURS_MS)
  }
  function stop(): void {
    started = false
    running.value = false
    clearTimeout(timer)
    clearInterval(reloadTimer)
    reloadTimer = undefined
    for (const e of EVENTS) window.removeEventListener(e, onTouch, { capture: true })
  }

  /** remembers where the tour goes next, for the page that loads after a reload */
  function saveForReload(resumeAt: number): void {
    if (!name.value) return
    sessionStorage.setItem(RESUME_KEY, JSON.stringify({ tour: name.value, index: resumeAt, at: Date.now() }))
  }
  function onBeforeStep(fn: (resumeAt: number) => boolean): void {
    beforeStep = fn
  }

  /** the night mode's dimming now (0 by day or without a schedule) */
  const dimAt = (now: number) => (tour.value ? nightDim(tour.value.schedule, now) : 0)

  return {
    name, tour, index, step, startedAt, pausedUntil, lastTouch, problem, reportedScope,
    start, stop, load, touch, saveForReload, onBeforeStep, dimAt, assign,
    /** a tour is running (loaded, with steps) */
    touring: computed(() => running.value && tour.value !== null),
  }
})

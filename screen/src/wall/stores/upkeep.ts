import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { postJson } from '../../shared/api.ts'
import { framesPerSecond, heapLimitFrom, isQuiet, makeDisplayId, reloadReason, type ReloadReason } from '../lib/upkeep.ts'
import { usePlaybackStore } from './playback.ts'
import { useTourStore } from './tour.ts'

const ID_KEY = 'shuzhi.displayId'
const RELOADED_KEY = 'shuzhi.wall.reloaded'
const REPORT_EVERY_MS = 60_000
/** the first report comes soon after the wall starts, so the desk sees a wall that was just switched on */
const FIRST_REPORT_MS = 5_000
const HEAP_KEPT = 10

interface MemoryInfo {
  usedJSHeapSize: number
}

/** this wall's id: made once, kept in the browser (two walls on one browser profile would share it) */
function displayId(): string {
  let id = localStorage.getItem(ID_KEY)
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = makeDisplayId((n) => crypto.getRandomValues(new Uint8Array(n)))
    localStorage.setItem(ID_KEY, id)
  }
  return id
}

/** frames per second over two seconds of animation frames (a hidden page has none: null) */
function sampleFps(ms = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    const stamps: number[] = []
    let frame = 0
    const done = setTimeout(() => {
      cancelAnimationFrame(frame)
      resolve(framesPerSecond(stamps))
    }, ms + 500)
    const tick = (t: number) => {
      stamps.push(t)
      if (t - stamps[0] >= ms) {
        clearTimeout(done)
        resolve(framesPerSecond(stamps))
      } else frame = requestAnimationFrame(tick)
    }
    frame = requestAnimationFrame(tick)
  })
}

const heapMb = (): number | null => {
  const m = (performance as Performance & { memory?: MemoryInfo }).memory
  return m ? Math.round((m.usedJSHeapSize / 1_048_576) * 10) / 10 : null
}

/**
 * A wall left alone for months looks after itself:
 * - its own build is the one the server had when it served this page (read from /api/health at
 *   load); when the server says another (the socket reconnects after a deployment and the wall
 *   asks /api/health again; every report's answer carries it too), the wall reloads itself at
 *   its next tour step, or, without a tour, once nobody has touched it for a minute;
 * - it reports its scope, tour, build, size, frames per second, JS heap and DOM nodes every
 *   minute (POST /api/displays/report), for the desk's list of walls;
 * - a heap past its limit (?heapLimitMb=, 1024 by default) three readings in a row reloads it
 *   the same way.
 * The reload keeps the sign-in (the token is in localStorage) and the scope (in the address);
 * a touring wall resumes its tour at the step it was about to show.
 */
export const useUpkeepStore = defineStore('upkeep', () => {
  const tour = useTourStore()
  const playback = usePlaybackStore()
  const mine = ref<string | null>(null)
  const server = ref<string | null>(null)
  const heap = shallowRef<(number | null)[]>([])
  const limitMb = heapLimitFrom(window.location.search)
  const pending = ref<ReloadReason | null>(null)
  /** the page answers (a server still building the screen answers 503): only then is reloading safe */
  const pageReady = ref(false)
  const lastReport = shallowRef<{ at: number; ok: boolean; fps: number | null; heapMb: number | null; domNodes: number } | null>(null)
  /** this page came from a reload the wall made itself (reported once) */
  const reloadedBecause = ref<string | null>(sessionStorage.getItem(RELOADED_KEY))
  const id = displayId()
  let reportTimer: ReturnType<typeof setTimeout> | undefined
  let quietTimer: ReturnType<typeof setInterval> | undefined
  let versionTimer: ReturnType<typeof setTimeout> | undefined
  let started = false
  /** commands heard over the socket so far */
  let commands = 0

  async function health(): Promise<string | null> {
    try {
      const res = await fetch('/api/health', { cache: 'no-store' })
      return res.ok ? ((await res.json()) as { version?: string }).version ?? null : null
    } catch {
      return null
    }
  }

  /** the build that served this page; asked until known */
  async function learnMine(): Promise<void> {
    const v = await health()
    if (!started) return
    if (v === null) {
      versionTimer = setTimeout(() => void learnMine(), 5_000)
      return
    }
    mine.value ??= v
    document.body.dataset.build = mine.value
    serverSays(v)
  }

  /** the server's build, as it told us (health, a report's answer) */
  function serverSays(v: string): void {
    server.value = v
    decide()
  }

  /** after the socket came back: is it the same build? */
  async function checkServer(): Promise<void> {
    const v = await health()
    if (v !== null) {
      if (mine.value === null) mine.value = v
      serverSays(v)
    }
  }

  function decide(): void {
    const reason = reloadReason(mine.value, server.value, heap.value, limitMb)
    if (reason && !pending.value) {
      pending.value = reason
      void checkPage()
    }
  }

  async function checkPage(): Promise<void> {
    try {
      const res = await fetch('/', { cache: 'no-store' })
      pageReady.value = res.status === 200
    } catch {
      pageReady.value = false
    }
  }

  /** reloads now if one is due and the page answers; true if the page is going away */
  function reloadIfDue(resumeAt: number | null): boolean {
    if (!pending.value) return false
    if (!pageReady.value) {
      void checkPage()
      return false
    }
    if (resumeAt !== null) tour.saveForReload(resumeAt)
    sessionStorage.setItem(RELOADED_KEY, `${pending.value}:${mine.value ?? ''}→${server.value ?? ''}`)
    window.location.reload()
    return true
  }

  async function report(): Promise<void> {
    const fps = await sampleFps()
    const reading = heapMb()
    heap.value = [...heap.value, reading].slice(-HEAP_KEPT)
    const domNodes = document.getElementsByTagName('*').length
    let ok = false
    // a command that arrives over the socket while this report is on its way is newer than its answer
    const commandsBefore = commands
    try {
      const answer = await postJson<{ version: string; tour?: string | null; reload?: boolean }>('/api/displays/report', {
        displayId: id,
        scope: tour.reportedScope,
        tour: tour.touring ? tour.name : null,
        version: mine.value ?? 'unknown',
        width: window.innerWidth,
        height: window.innerHeight,
        fps,
        heapMb: reading,
        domNodes,
        ...(reloadedBecause.value ? { reloaded: true } : {}),
      })
      ok = true
      if (reloadedBecause.value) {
        sessionStorage.removeItem(RELOADED_KEY)
        reloadedBecause.value = null
      }
      if (mine.value) serverSays(answer.version)
      // what the admin set on the desk, for a wall whose socket missed the word
      if (commands === commandsBefore) obey({ tour: answer.tour ?? null, reload: answer.reload === true })
    } catch {
      /* reported again next minute; the freshness banner tells of a server that is away */
    }
    lastReport.value = { at: Date.now(), ok, fps, heapMb: reading, domNodes }
    decide()
  }

  /**
   * The admin's word from the desk (大屏管理), over the socket or in a report's answer: run the
   * tour assigned to this wall, or reload now (远程刷新), keeping sign-in, scope and tour step.
   */
  function command(cmd: { tour?: string | null; reload?: boolean }): void {
    commands++
    obey(cmd)
  }
  function obey(cmd: { tour?: string | null; reload?: boolean }): void {
    if (cmd.tour !== undefined) tour.assign(cmd.tour)
    if (cmd.reload && started) {
      pending.value = 'remote'
      void checkPage().then(() => reloadIfDue(tour.touring ? tour.index : null))
    }
  }

  function scheduleReport(ms: number): void {
    reportTimer = setTimeout(async () => {
      await report()
      if (started) scheduleReport(REPORT_EVERY_MS)
    }, ms)
  }

  function start(): void {
    if (started) return
    started = true
    void learnMine()
    scheduleReport(FIRST_REPORT_MS)
    // a touring wall reloads between two steps; one without a tour when nobody is using it
    tour.onBeforeStep((resumeAt) => reloadIfDue(resumeAt))
    quietTimer = setInterval(() => {
      if (pending.value && isQuiet({ now: Date.now(), lastTouch: tour.lastTouch, touring: tour.touring, replaying: playback.track !== null, hidden: document.hidden })) {
        reloadIfDue(null)
      }
    }, 5_000)
  }
  function stop(): void {
    started = false
    clearTimeout(reportTimer)
    clearTimeout(versionTimer)
    clearInterval(quietTimer)
  }

  return { id, mine, server, heap, limitMb, pending, pageReady, lastReport, reloadedBecause, start, stop, checkServer, report, command }
})

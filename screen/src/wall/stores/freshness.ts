import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

/** what the wall's figures come from: the panels' stats, the work orders, the truck list, and the live socket */
export type Source = 'stats' | 'workOrders' | 'vehicles'

/** a socket down for this long (or a refresh that failed) puts up the banner; shorter blips do not flash it */
export const DOWN_GRACE_MS = 2_000
/** a wall that never got its socket up this long after signing in is as stale as one that lost it */
export const FIRST_CONNECT_MS = 10_000

/**
 * How current the wall's data is. Each source records when it last brought good data and
 * whether its last try failed; the live socket records when it went down. When the socket is
 * down or a refresh failed, the wall shows 数据更新中断 with the age of its data; when the socket
 * is back, the wall catches up (every source refreshed) and the banner clears once they all
 * answered.
 */
export const useFreshnessStore = defineStore('freshness', () => {
  const okAt = ref<Record<Source, number | null>>({ stats: null, workOrders: null, vehicles: null })
  const failing = ref<Record<Source, string | null>>({ stats: null, workOrders: null, vehicles: null })
  const socketUp = ref(false)
  /** when the socket went down (or, before it ever came up, when the wall started waiting for it) */
  const downSince = ref<number | null>(null)
  const everConnected = ref(false)
  /** reconnected, and refreshing every source */
  const catchingUp = ref(false)
  /** times the wall lost and regained its socket, for the record */
  const reconnects = ref(0)

  function ok(source: Source, at = Date.now()): void {
    okAt.value[source] = at
    failing.value[source] = null
  }
  function fail(source: Source, message: string): void {
    failing.value[source] = message
  }
  function waiting(at = Date.now()): void {
    if (!everConnected.value && downSince.value === null) downSince.value = at
  }
  function socket(up: boolean, at = Date.now()): void {
    if (up === socketUp.value && (up || downSince.value !== null)) return
    socketUp.value = up
    if (up) {
      if (everConnected.value) reconnects.value++
      everConnected.value = true
      downSince.value = null
    } else downSince.value ??= at
  }

  /** the oldest of the sources' good data: what the wall shows is at least this old */
  const dataAt = computed(() => {
    const times = Object.values(okAt.value).filter((t): t is number => t !== null)
    return times.length ? Math.min(...times) : null
  })
  const failed = computed(() => (Object.keys(failing.value) as Source[]).filter((s) => failing.value[s] !== null))

  /** whether the banner is up at `now`: the socket down past the grace (or never up), or a refresh that failed */
  function interrupted(now: number): boolean {
    if (failed.value.length) return true
    if (downSince.value === null) return false
    return now - downSince.value >= (everConnected.value ? DOWN_GRACE_MS : FIRST_CONNECT_MS)
  }

  return { okAt, failing, socketUp, downSince, everConnected, catchingUp, reconnects, dataAt, failed, ok, fail, socket, waiting, interrupted }
})

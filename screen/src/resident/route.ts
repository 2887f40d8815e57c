import { onBeforeUnmount, ref } from 'vue'
import { isCode, normalizeCode } from './labels.ts'

export type ResidentRoute = { page: 'report' } | { page: 'lookup' } | { page: 'status'; code: string }

/**
 * Routes live in the address fragment (/r/#/s/ABCDE-FGHJK): the browser never sends it, so a
 * tracking code reaches no server or proxy log, and the server serves /r/ for every route.
 */
export function parseRoute(hash: string): ResidentRoute {
  const path = decodeURIComponent(hash.replace(/^#/, ''))
  const status = /^\/s\/(.+)$/.exec(path)
  if (status && isCode(normalizeCode(status[1]))) return { page: 'status', code: normalizeCode(status[1]) }
  if (path === '/q') return { page: 'lookup' }
  return { page: 'report' }
}

export const statusHref = (code: string) => `#/s/${code}`

export function useHashRoute() {
  const route = ref<ResidentRoute>(parseRoute(location.hash))
  const onChange = () => {
    route.value = parseRoute(location.hash)
    window.scrollTo(0, 0)
  }
  window.addEventListener('hashchange', onChange)
  onBeforeUnmount(() => window.removeEventListener('hashchange', onChange))
  return route
}

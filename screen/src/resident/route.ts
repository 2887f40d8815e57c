import { onBeforeUnmount, ref } from 'vue'
import { isCode, normalizeCode } from './labels.ts'

export type ResidentRoute = { page: 'report' } | { page: 'lookup' } | { page: 'status'; code: string } | { page: 'affairs'; villageId: number | null }

/**
 * Routes live in the address fragment (/r/#/s/ABCDE-FGHJK): the browser never sends it, so a
 * tracking code reaches no server or proxy log, and the server serves /r/ for every route.
 */
export function parseRoute(hash: string): ResidentRoute {
  const path = decodeURIComponent(hash.replace(/^#/, ''))
  const status = /^\/s\/(.+)$/.exec(path)
  if (status && isCode(normalizeCode(status[1]))) return { page: 'status', code: normalizeCode(status[1]) }
  if (path === '/q') return { page: 'lookup' }
  // 公开: a village's published notices and payments; the village in the address, so a link can be shared
  const affairs = /^\/gk(?:\/([1-9][0-9]{0,8}))?$/.exec(path)
  if (affairs) return { page: 'affairs', villageId: affairs[1] ? Number(affairs[1]) : null }
  return { page: 'report' }
}

export const statusHref = (code: string) => `#/s/${code}`
export const affairsHref = (villageId?: number | null) => (villageId ? `#/gk/${villageId}` : '#/gk')

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

import { computed, ref } from 'vue'

// The desk's places live in the address fragment (#/inbox/toHandle, #/order/42, #/tools/users),
// so the browser's back button, a reload and a link pasted to a colleague all land where they
// should, without a router package or server routes for every view.

export interface DeskRoute {
  view: string
  arg: string | null
}

function parse(hash: string): DeskRoute {
  const [view, arg] = hash.replace(/^#\/?/, '').split('/')
  return { view: view || 'inbox', arg: arg ? decodeURIComponent(arg) : null }
}

const current = ref<DeskRoute>(parse(window.location.hash))
window.addEventListener('hashchange', () => (current.value = parse(window.location.hash)))

export const route = computed(() => current.value)

export function go(view: string, arg?: string | number | null): void {
  const hash = `#/${view}${arg !== undefined && arg !== null ? `/${encodeURIComponent(String(arg))}` : ''}`
  if (window.location.hash !== hash) window.location.hash = hash
  else current.value = parse(hash)
}

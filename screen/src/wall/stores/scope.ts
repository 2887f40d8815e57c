import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type ScopeKind = 'county' | 'town' | 'village' | 'grid'
/** a town's id is null for "the wall's own town" (a town's command center, or the demo's one town) */
export interface ScopeRef {
  kind: ScopeKind
  id: number | null
}

const PATTERN = /^(county|town|town:[1-9]\d{0,8}|village:[1-9]\d{0,8}|grid:[1-9]\d{0,8})$/
const ROOT_TOWN: ScopeRef = { kind: 'town', id: null }

/** null when the address names no scope (the wall opens on its root: county or town) */
export function parseScope(raw: string | null): ScopeRef | null {
  if (!raw || !PATTERN.test(raw)) return null
  if (raw === 'county' || raw === 'town') return { kind: raw, id: null }
  const [kind, id] = raw.split(':')
  return { kind: kind as ScopeKind, id: Number(id) }
}

export const scopeKey = (s: ScopeRef) => (s.id === null ? s.kind : `${s.kind}:${s.id}`)

const fromAddress = () => parseScope(new URLSearchParams(window.location.search).get('scope'))

/**
 * The selected scope (county → town → village → grid), mirrored in the URL (?scope=grid:12)
 * so a wall can be pinned to a village and the browser's back button goes up a level. A
 * county's wall (a county-wide account on a system of several towns) has the county as its
 * root; every other wall its town, as before counties.
 */
export const useScopeStore = defineStore('scope', () => {
  const root = ref<ScopeRef>(ROOT_TOWN)
  const current = ref<ScopeRef>(fromAddress() ?? ROOT_TOWN)
  /** the household whose card is open, inside a grid scope */
  const householdId = ref<number | null>(null)
  const key = computed(() => scopeKey(current.value))
  const countyMode = computed(() => root.value.kind === 'county')

  /** On a town's wall every town crumb is the wall's own town: its key stays the bare 'town'. */
  const normal = (s: ScopeRef): ScopeRef => (s.kind === 'town' && !countyMode.value ? ROOT_TOWN : s)

  /**
   * Goes to a scope. A person's step is a history entry (back goes up); a tour's step only
   * rewrites the address ('replace'), so a reload lands where the wall was and months of
   * touring add nothing to the history.
   */
  function go(target: ScopeRef, push: boolean | 'replace' = true): void {
    householdId.value = null
    const next = normal(target)
    if (scopeKey(next) === key.value) return
    current.value = next
    if (push) {
      const url = new URL(window.location.href)
      if (scopeKey(next) === scopeKey(root.value)) url.searchParams.delete('scope')
      else url.searchParams.set('scope', scopeKey(next))
      if (push === 'replace') window.history.replaceState(null, '', url.pathname + url.search + url.hash)
      else window.history.pushState(null, '', url.pathname + url.search)
    }
  }

  /** Once the wall knows whose it is: a county's wall with no scope in its address opens on the county. */
  function setRoot(kind: 'county' | 'town'): void {
    root.value = kind === 'county' ? { kind: 'county', id: null } : ROOT_TOWN
    if (!fromAddress()) current.value = root.value
  }

  window.addEventListener('popstate', () => {
    go(fromAddress() ?? root.value, false)
  })

  return { current, key, root, countyMode, householdId, go, setRoot }
})

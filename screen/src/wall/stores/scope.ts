import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

export type ScopeKind = 'town' | 'village' | 'grid'
export interface ScopeRef {
  kind: ScopeKind
  id: number | null
}

const PATTERN = /^(town|village:[1-9]\d{0,8}|grid:[1-9]\d{0,8})$/

export function parseScope(raw: string | null): ScopeRef {
  if (!raw || !PATTERN.test(raw) || raw === 'town') return { kind: 'town', id: null }
  const [kind, id] = raw.split(':')
  return { kind: kind as ScopeKind, id: Number(id) }
}

export const scopeKey = (s: ScopeRef) => (s.kind === 'town' ? 'town' : `${s.kind}:${s.id}`)

/**
 * The selected scope (town → village → grid), mirrored in the URL (?scope=grid:12) so a
 * wall can be pinned to a village and the browser's back button goes up a level.
 */
export const useScopeStore = defineStore('scope', () => {
  const current = ref<ScopeRef>(parseScope(new URLSearchParams(window.location.search).get('scope')))
  /** the household whose card is open, inside a grid scope */
  const householdId = ref<number | null>(null)
  const key = computed(() => scopeKey(current.value))

  /**
   * Goes to a scope. A person's step is a history entry (back goes up); a tour's step only
   * rewrites the address ('replace'), so a reload lands where the wall was and months of
   * touring add nothing to the history.
   */
  function go(next: ScopeRef, push: boolean | 'replace' = true): void {
    householdId.value = null
    if (scopeKey(next) === key.value) return
    current.value = next
    if (push) {
      const url = new URL(window.location.href)
      if (next.kind === 'town') url.searchParams.delete('scope')
      else url.searchParams.set('scope', scopeKey(next))
      if (push === 'replace') window.history.replaceState(null, '', url.pathname + url.search + url.hash)
      else window.history.pushState(null, '', url.pathname + url.search)
    }
  }

  window.addEventListener('popstate', () => {
    go(parseScope(new URLSearchParams(window.location.search).get('scope')), false)
  })

  return { current, key, householdId, go }
})

import { onScopeDispose, ref } from 'vue'

/** how long a confirmation (已保存, 已上报 …) stays: long enough to read, short enough not to linger */
export const NOTICE_MS = 5000

/**
 * The page's one-line notice. A confirmation goes away by itself after a few seconds (or when
 * tapped ×); a state that stays true until something changes (an account without a grid, a role
 * the page is not for) is sticky. A newer notice replaces the one showing, with its own time.
 */
export function useNotice(ms = NOTICE_MS) {
  const text = ref<string | null>(null)
  const sticky = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  function dismiss(): void {
    clearTimeout(timer)
    timer = undefined
    text.value = null
    sticky.value = false
  }
  function show(next: string, opts: { sticky?: boolean } = {}): void {
    clearTimeout(timer)
    text.value = next
    sticky.value = opts.sticky === true
    if (!sticky.value) timer = setTimeout(dismiss, ms)
  }
  // the page or component goes: no timer outlives it
  onScopeDispose(() => clearTimeout(timer))
  return { text, sticky, show, dismiss }
}

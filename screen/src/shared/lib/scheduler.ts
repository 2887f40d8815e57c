import { onBeforeUnmount } from 'vue'

/**
 * One timer per component, always cleared on unmount: per-widget setInterval polling that
 * outlives its widget is how wall screens pile up timers over a day.
 */
export function useEvery(ms: number, fn: () => void): void {
  const id = setInterval(fn, ms)
  onBeforeUnmount(() => clearInterval(id))
}

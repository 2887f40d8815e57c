import { defineStore } from 'pinia'
import { ref } from 'vue'
import { reasonOf } from '../../shared/api.ts'

/**
 * The desk's one message area (data-testid desk-error / desk-notice). A refusal shows the
 * server's own reason as it came: it names the state or the field that is wrong, which is what
 * a dispatcher needs to decide what to do next.
 */
export const useToastStore = defineStore('deskToast', () => {
  const error = ref<string | null>(null)
  const notice = ref<string | null>(null)
  let timer: ReturnType<typeof setTimeout> | undefined

  function fail(err: unknown, prefix = ''): void {
    error.value = prefix + reasonOf(err)
    notice.value = null
  }
  function ok(text: string): void {
    notice.value = text
    error.value = null
    clearTimeout(timer)
    timer = setTimeout(() => (notice.value = null), 4000)
  }
  function clear(): void {
    error.value = null
    notice.value = null
  }
  return { error, notice, fail, ok, clear }
})

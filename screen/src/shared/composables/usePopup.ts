import { onBeforeUnmount, ref, type Ref } from 'vue'

/**
 * A field's popup (calendar, months, times): fixed to the viewport under the field (above it when
 * there is no room below), so a dialog's scrolling body does not clip it; closed by Escape, a
 * click elsewhere, or scrolling. Its listeners live only while it is open.
 */
export function usePopup(box: Ref<HTMLElement | null>, height: number) {
  const open = ref(false)
  const style = ref<Record<string, string>>({})

  function away(e: Event): void {
    if (e.type === 'keydown') {
      if ((e as KeyboardEvent).key !== 'Escape') return
      // Escape closes the popup, not the dialog around the field
      e.stopPropagation()
    }
    if (e.type === 'pointerdown' && box.value?.contains(e.target as Node)) return
    // scrolling inside the popup itself (a long list of times) keeps it
    if (e.type === 'scroll' && box.value?.contains(e.target as Node)) return
    hide()
  }
  function show(): void {
    const r = box.value?.getBoundingClientRect()
    if (!r) return
    const below = window.innerHeight - r.bottom > height + 8 || r.top < height + 8
    style.value = {
      left: `${Math.max(4, Math.min(r.left, window.innerWidth - 280))}px`,
      ...(below ? { top: `${r.bottom + 4}px` } : { bottom: `${window.innerHeight - r.top + 4}px` }),
    }
    open.value = true
    document.addEventListener('pointerdown', away, true)
    document.addEventListener('keydown', away, true)
    window.addEventListener('scroll', away, true)
  }
  function hide(): void {
    open.value = false
    document.removeEventListener('pointerdown', away, true)
    document.removeEventListener('keydown', away, true)
    window.removeEventListener('scroll', away, true)
  }
  const toggle = () => (open.value ? hide() : show())
  onBeforeUnmount(hide)
  return { open, style, show, hide, toggle }
}

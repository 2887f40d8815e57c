import { ref } from 'vue'
import { FITTED, panBy, zoomAt, type View } from '../lib/zoom.ts'

type Box = [number, number]

function geometry(e: { clientX: number; clientY: number }, el: HTMLElement): { p: [number, number]; box: Box } {
  const r = el.getBoundingClientRect()
  return { p: [e.clientX - r.left - r.width / 2, e.clientY - r.top - r.height / 2], box: [r.width, r.height] }
}

/**
 * Wheel, pinch, drag and double-tap on a photo's stage, for mouse, pen and touch alike (pointer
 * events; the stage says `touch-action: none`, so the browser does not scroll or zoom the page).
 * One view is shared by every stage that uses the handlers: before and after zoom together.
 */
export function usePanZoom() {
  const view = ref<View>(FITTED)
  const pointers = new Map<number, { x: number; y: number }>()
  let lastBox: Box = [1, 1]

  function reset(): void {
    view.value = FITTED
  }
  /** the buttons and keys zoom about the centre of the last stage touched (or any stage) */
  function zoomBy(factor: number, stage?: HTMLElement | null): void {
    if (stage) lastBox = geometry({ clientX: 0, clientY: 0 }, stage).box
    view.value = zoomAt(view.value, view.value.scale * factor, [0, 0], lastBox)
  }
  function onWheel(e: WheelEvent): void {
    e.preventDefault()
    const { p, box } = geometry(e, e.currentTarget as HTMLElement)
    lastBox = box
    view.value = zoomAt(view.value, view.value.scale * Math.exp(-e.deltaY * 0.0015), p, box)
  }
  function onDown(e: PointerEvent): void {
    ;(e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId)
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY })
  }
  function onMove(e: PointerEvent): void {
    const before = pointers.get(e.pointerId)
    if (!before) return
    const el = e.currentTarget as HTMLElement
    const { box } = geometry(e, el)
    lastBox = box
    if (pointers.size === 1) {
      view.value = panBy(view.value, e.clientX - before.x, e.clientY - before.y, box)
    } else if (pointers.size === 2) {
      const other = [...pointers.entries()].find(([id]) => id !== e.pointerId)![1]
      const d0 = Math.hypot(before.x - other.x, before.y - other.y)
      const d1 = Math.hypot(e.clientX - other.x, e.clientY - other.y)
      if (d0 > 0) {
        const mid = geometry({ clientX: (e.clientX + other.x) / 2, clientY: (e.clientY + other.y) / 2 }, el)
        view.value = zoomAt(view.value, view.value.scale * (d1 / d0), mid.p, box)
      }
    }
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY })
  }
  function onUp(e: PointerEvent): void {
    pointers.delete(e.pointerId)
  }
  /** a double click or double tap: 2.5× at that point, or back to the fitted picture */
  function onDouble(e: MouseEvent): void {
    const { p, box } = geometry(e, e.currentTarget as HTMLElement)
    view.value = view.value.scale > 1 ? FITTED : zoomAt(view.value, 2.5, p, box)
  }
  const handlers = { wheel: onWheel, pointerdown: onDown, pointermove: onMove, pointerup: onUp, pointercancel: onUp, dblclick: onDouble }
  return { view, reset, zoomBy, handlers }
}

import { onBeforeUnmount, ref } from 'vue'
import { designScale } from './design-scale.ts'

/** the current design scale (CSS px per design px) as a reactive value, for canvas font sizes */
export function useDesignScale() {
  const s = ref(designScale(window.innerWidth, window.innerHeight))
  const update = () => (s.value = designScale(window.innerWidth, window.innerHeight))
  window.addEventListener('resize', update)
  onBeforeUnmount(() => window.removeEventListener('resize', update))
  return s
}

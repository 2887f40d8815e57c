import { shallowRef } from 'vue'
import { getJson } from './api.ts'

// 常用语: the phrases a handling or a reply takes in one click, the same list on the desk and the
// phone (the admin keeps it on the desk). Read once per page and kept; a failed read is tried again.
export interface ReplyTemplate { id: number; category: string | null; text: string }

export const templates = shallowRef<ReplyTemplate[]>([])
let loaded: Promise<void> | null = null

export function loadTemplates(force = false): Promise<void> {
  if (!loaded || force) {
    loaded = getJson<ReplyTemplate[]>('/api/work-orders/templates').then((list) => { templates.value = list })
    loaded.catch(() => (loaded = null))
  }
  return loaded
}

/** a category's phrases after the general ones */
export const templatesFor = (list: readonly ReplyTemplate[], category: string): ReplyTemplate[] =>
  list.filter((x) => x.category === null || x.category === category)

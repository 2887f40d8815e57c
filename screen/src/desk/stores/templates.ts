import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import { deleteJson, getJson, postJson } from '../../shared/api.ts'

export interface ReplyTemplate { id: number; category: string | null; text: string }

/** 常用语: the phrases a handling or a reply takes in one click; the admin keeps the list. */
export const useTemplateStore = defineStore('deskTemplates', () => {
  const all = shallowRef<ReplyTemplate[]>([])
  let loaded: Promise<void> | null = null

  function load(force = false): Promise<void> {
    if (!loaded || force) {
      loaded = getJson<ReplyTemplate[]>('/api/work-orders/templates').then((list) => { all.value = list })
      loaded.catch(() => (loaded = null))
    }
    return loaded
  }
  /** a category's phrases after the general ones */
  const forCategory = (category: string) => all.value.filter((x) => x.category === null || x.category === category)

  async function add(text: string, category: string | null): Promise<void> {
    await postJson('/api/work-orders/templates', { text, category })
    await load(true)
  }
  async function remove(id: number): Promise<void> {
    await deleteJson(`/api/work-orders/templates/${id}`)
    await load(true)
  }
  return { all, load, forCategory, add, remove }
})

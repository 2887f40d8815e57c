import { defineStore } from 'pinia'
import { deleteJson, postJson } from '../../shared/api.ts'
import { loadTemplates, templates, templatesFor, type ReplyTemplate } from '../../shared/templates.ts'

export type { ReplyTemplate }

/** 常用语 as the admin keeps them on the desk: the shared list (shared/templates.ts), added to and taken from. */
export const useTemplateStore = defineStore('deskTemplates', () => {
  const forCategory = (category: string) => templatesFor(templates.value, category)
  async function add(text: string, category: string | null): Promise<void> {
    await postJson('/api/work-orders/templates', { text, category })
    await loadTemplates(true)
  }
  async function remove(id: number): Promise<void> {
    await deleteJson(`/api/work-orders/templates/${id}`)
    await loadTemplates(true)
  }
  return { all: templates, load: loadTemplates, forCategory, add, remove }
})

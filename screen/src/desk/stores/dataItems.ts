import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'

export interface DataItem {
  key: string
  label: string
  departmentId: number
  departmentName: string
  /** shown as *** in a masked record; a form may set it but never shows its current value */
  sensitive: boolean
  /** 'column': a field of the record itself (name, ID number…), not kept in items */
  type: 'boolean' | 'number' | 'choice' | 'text' | 'column'
  choices?: string[]
}

/**
 * The catalogue of the 30 data items (GET /api/data-items): labels, the department each comes
 * from, whether it is sensitive, what value it takes. Read once per sign-in; the population
 * forms, the history and the department import all read their labels from here.
 */
export const useDataItemStore = defineStore('deskDataItems', () => {
  const items = shallowRef<DataItem[]>([])
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    loading ??= getJson<DataItem[]>('/api/data-items').then((list) => {
      items.value = list
    }).catch((err) => {
      loading = null
      throw err
    })
    return loading
  }

  /** the items kept per resident (a form's 数据项 section, an import's 数据项 column) */
  const kept = computed(() => items.value.filter((i) => i.type !== 'column'))
  const byKey = computed(() => new Map(items.value.map((i) => [i.key, i])))
  const label = (key: string): string => byKey.value.get(key)?.label ?? key
  const ofDepartment = (departmentId: number | null | undefined): DataItem[] => kept.value.filter((i) => i.departmentId === departmentId)

  return { items, kept, byKey, load, label, ofDepartment }
})

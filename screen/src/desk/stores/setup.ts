import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { TownList, TownSummary } from '../../../../geo/towns.ts'
import { getJson, patchJson, postJson, putJson } from '../../shared/api.ts'
import { useLookupStore } from './lookups.ts'

export type StepState = 'todo' | 'partial' | 'done'
export interface SetupStep {
  key: 'county' | 'villages' | 'grids' | 'households' | 'residents' | 'accounts' | 'fleet'
  label: string
  state: StepState
  counts: Record<string, number>
  /** where the step is done: the desk's address after '#/' */
  view: string
  /** a township without it still goes live */
  optional: boolean
}

/**
 * 底数导入: the admin's checklist of a township going live (GET /api/setup), and the first step,
 * done right on the page: the county's code and name and its towns.
 */
export const useSetupStore = defineStore('deskSetup', () => {
  const lookups = useLookupStore()
  const steps = shallowRef<SetupStep[]>([])
  /** no village yet */
  const empty = ref(false)
  const county = shallowRef<TownList['county']>(null)
  const towns = shallowRef<TownSummary[]>([])
  const loaded = ref(false)

  async function load(): Promise<void> {
    const [c, t] = await Promise.all([getJson<{ steps: SetupStep[]; empty: boolean }>('/api/setup'), getJson<TownList>('/api/towns')])
    steps.value = c.steps
    empty.value = c.empty
    county.value = t.county
    towns.value = t.towns
    loaded.value = true
  }
  /** the towns' names are in every view's lookups (filters, account scopes): read them again */
  async function changed(): Promise<void> {
    lookups.reset()
    await Promise.all([load(), lookups.load()])
  }

  async function saveCounty(code: string, name: string): Promise<void> {
    await putJson('/api/county', { code, name })
    await load()
  }
  async function addTown(code: string, name: string): Promise<void> {
    await postJson('/api/towns', { code, name })
    await changed()
  }
  async function saveTown(id: number, code: string, name: string): Promise<void> {
    await patchJson(`/api/towns/${id}`, { code, name })
    await changed()
  }

  return { steps, empty, county, towns, loaded, load, saveCounty, addTown, saveTown }
})

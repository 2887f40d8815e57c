import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson'
import type { GridProps, VillageProps } from '../../../../geo/types.ts'
import { ApiError, getJson, patchJson, postJson, putJson } from '../../shared/api.ts'
import { useLookupStore } from './lookups.ts'

/** a grid as the editor shows it: its outline may be in several parts */
export type EditorGrid = Feature<Polygon | MultiPolygon, GridProps>
export type VillageFeature = Feature<Polygon | MultiPolygon, VillageProps>

export interface WorkerAccount {
  id: number
  username: string
  displayName: string
  gridId: number | null
  gridName: string | null
  gridRetired: boolean
}

export interface EditProblem {
  kind: string
  features: string[]
  areaM2: number
  point: [number, number] | null
  detail?: string
}

/** the server's answer to an edit (api/grid-editor/save.ts): the village's grids after it, checked */
export interface EditReport {
  action: 'split' | 'merge' | 'reshape' | 'create'
  dryRun: boolean
  applied: boolean
  grids: { id: number | null; name: string; code: string; kind: string; areaM2: number; change: 'new' | 'changed' | 'unchanged'; geometry: Polygon | MultiPolygon | null }[]
  retired: { id: number; name: string }[]
  householdsMoved: number
  problems: EditProblem[]
  warnings: (Omit<EditProblem, 'areaM2' | 'point'> & { areaM2?: number; point?: [number, number] | null })[]
}

export type PendingEdit =
  | { action: 'split'; gridId: number; line: LineString }
  | { action: 'merge'; ids: number[] }
  | { action: 'reshape'; gridId: number; geometry: Polygon }
  | { action: 'create'; name: string; code: string; geometry: Polygon }

export interface GridChange {
  name?: string
  code?: string
  kind?: 'base' | 'exclusive'
  workerUserId?: number | null
  workerPhone?: string
}

function call(e: PendingEdit, dryRun: boolean, villageId: number): Promise<EditReport> {
  const q = dryRun ? '?dryRun=1' : ''
  switch (e.action) {
    case 'split': return postJson(`/api/grids/${e.gridId}/split${q}`, { line: e.line })
    case 'merge': return postJson(`/api/grids/merge${q}`, { ids: e.ids })
    case 'reshape': return putJson(`/api/grids/${e.gridId}/geometry${q}`, { geometry: e.geometry })
    case 'create': return postJson(`/api/grids${q}`, { villageId, name: e.name, code: e.code, kind: 'exclusive', geometry: e.geometry })
  }
}

/** a one-time password for a new account, shown once to the admin (works on plain-http intranets) */
function onceOnlyPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789'
  return [...crypto.getRandomValues(new Uint8Array(12))].map((b) => alphabet[b % alphabet.length]).join('')
}

/**
 * 网格划分: one village's grids, the edit being prepared and the server's check of it. Every edit
 * is checked first (?dryRun=1: the same report, nothing written); 保存 sends it again for real.
 */
export const useGridEditorStore = defineStore('deskGridEditor', () => {
  const lookups = useLookupStore()
  const villageId = ref<number | null>(null)
  const village = shallowRef<VillageFeature | null>(null)
  const grids = shallowRef<EditorGrid[]>([])
  const workers = shallowRef<WorkerAccount[]>([])
  const selected = ref<number[]>([])
  const pending = shallowRef<PendingEdit | null>(null)
  const report = shallowRef<EditReport | null>(null)
  /** the server's refusal of the last check or save: its code and reason, as it came */
  const refusal = shallowRef<{ code: string; message: string } | null>(null)
  const busy = ref(false)

  const selectedGrids = computed(() => selected.value.map((id) => grids.value.find((g) => g.properties.id === id)).filter((g): g is EditorGrid => !!g))

  async function load(id: number | null): Promise<void> {
    villageId.value = id
    selected.value = []
    clearEdit()
    if (id === null) {
      village.value = null
      grids.value = []
      workers.value = []
      return
    }
    const townId = lookups.villages.find((v) => v.id === id)?.townId
    const [vs, gs, ws] = await Promise.all([
      getJson<FeatureCollection<Polygon | MultiPolygon, VillageProps>>(`/api/villages${townId ? `?town=${townId}` : ''}`),
      getJson<FeatureCollection<Polygon | MultiPolygon, GridProps>>(`/api/grids?village=${id}`),
      getJson<WorkerAccount[]>(`/api/grid-workers?village=${id}`),
    ])
    if (villageId.value !== id) return
    village.value = vs.features.find((f) => f.properties.id === id) ?? null
    grids.value = gs.features
    workers.value = ws
    selected.value = selected.value.filter((s) => gs.features.some((g) => g.properties.id === s))
  }

  function clearEdit(): void {
    pending.value = null
    report.value = null
    refusal.value = null
  }

  function refused(err: unknown): void {
    if (err instanceof ApiError && err.body && typeof err.body === 'object' && 'problems' in err.body) report.value = err.body as EditReport
    refusal.value = { code: err instanceof ApiError ? err.code : 'error', message: err instanceof Error ? err.message : String(err) }
  }

  /** the server's check of an edit, nothing written */
  async function check(e: PendingEdit): Promise<void> {
    if (villageId.value === null) return
    pending.value = e
    report.value = null
    refusal.value = null
    busy.value = true
    try {
      report.value = await call(e, true, villageId.value)
    } catch (err) {
      refused(err)
    } finally {
      busy.value = false
    }
  }

  /** the checked edit, for real: true when written */
  async function save(): Promise<EditReport | null> {
    if (!pending.value || villageId.value === null) return null
    busy.value = true
    refusal.value = null
    try {
      const done = await call(pending.value, false, villageId.value)
      lookups.dropGrids(villageId.value)
      const made = done.grids.filter((g) => g.change === 'new').map((g) => g.id!)
      await load(villageId.value)
      selected.value = made
      return done
    } catch (err) {
      refused(err)
      return null
    } finally {
      busy.value = false
    }
  }

  async function change(gridId: number, c: GridChange): Promise<void> {
    await patchJson(`/api/grids/${gridId}`, c)
    if (villageId.value !== null) {
      lookups.dropGrids(villageId.value)
      const keep = [...selected.value]
      await load(villageId.value)
      selected.value = keep
    }
  }

  /** a new grid worker's account for the grid, then given the grid: its one-time password */
  async function newWorker(gridId: number, username: string, displayName: string, workerPhone?: string): Promise<string> {
    const password = onceOnlyPassword()
    const account = await postJson<{ id: number }>('/api/users', { username, displayName, role: 'gridWorker', gridId, password })
    await change(gridId, { workerUserId: account.id, ...(workerPhone ? { workerPhone } : {}) })
    return password
  }

  return { villageId, village, grids, workers, selected, selectedGrids, pending, report, refusal, busy, load, check, save, clearEdit, change, newWorker }
})

import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { ApiError, deleteJson, getJson, postFile, postJson, putJson } from '../../shared/api.ts'
import type { WelfareMonthList } from '../../../../geo/welfare.ts'
import { importType } from '../composables/useFileImport.ts'

/** POST /api/imports/welfare-funds: sums per village (never a person), what each does to the figure held */
export interface WelfareImportReport {
  shape: 'village' | 'person' | null
  rows: number
  created: number
  replaced: number
  unchanged: number
  /** published village-months the file changes: each goes back to 待公开 */
  withdrawn: number
  totalYuan: number
  errors: { row: number; column: string; reason: string }[]
  entries: {
    villageId: number; villageName: string; month: string; category: string; amountYuan: number; recipients: number
    action: 'create' | 'replace' | 'unchanged'; before: { amountYuan: number; recipients: number } | null; withdraws: boolean
  }[]
  ignoredColumns: string[]
  dryRun: boolean
  importId?: number
}

/**
 * 民生资金 on the desk: a month's figures per village; 民政's file (a dry run first, then the
 * same file for real, all rows or none: a 422 carries the whole report, kept in ApiError.body);
 * a figure corrected with a reason; a village-month published to residents by a leader.
 */
export const useWelfareStore = defineStore('deskWelfare', () => {
  const list = shallowRef<WelfareMonthList | null>(null)
  const loading = ref(false)
  const file = shallowRef<File | null>(null)
  const report = shallowRef<WelfareImportReport | null>(null)
  const done = shallowRef<WelfareImportReport | null>(null)
  const busy = ref(false)

  async function load(month?: string | null): Promise<void> {
    loading.value = true
    try {
      list.value = await getJson<WelfareMonthList>(`/api/welfare-funds${month ? `?month=${month}` : ''}`)
    } finally {
      loading.value = false
    }
  }

  async function send(dryRun: boolean): Promise<WelfareImportReport> {
    const f = file.value!
    const type = importType(f)
    if (!type) throw new ApiError(415, '只能导入 .csv 或 .xlsx 文件')
    try {
      return await postFile<WelfareImportReport>(`/api/imports/welfare-funds${dryRun ? '?dryRun=1' : ''}`, f, type, { 'X-File-Name': encodeURIComponent(f.name) })
    } catch (err) {
      const body = err instanceof ApiError && err.status === 422 ? (err.body as WelfareImportReport | undefined) : undefined
      if (body && Array.isArray(body.errors)) return body
      throw err
    }
  }
  function choose(f: File | null): void {
    file.value = f
    report.value = null
    done.value = null
  }
  async function preview(): Promise<void> {
    busy.value = true
    done.value = null
    try {
      report.value = await send(true)
    } finally {
      busy.value = false
    }
  }
  async function commit(): Promise<void> {
    busy.value = true
    try {
      const r = await send(false)
      if (r.errors.length) report.value = r // the register changed since the preview: show why
      else {
        done.value = r
        report.value = null
        file.value = null
        // show the month the file wrote (its latest)
        await load(r.entries.map((e) => e.month).sort().at(-1) ?? list.value?.month)
      }
    } finally {
      busy.value = false
    }
  }

  const key = (villageId: number, month: string, category: string) => `/api/welfare-funds/${villageId}/${month}/${encodeURIComponent(category)}`
  async function correct(villageId: number, month: string, category: string, figure: { amountYuan: number; recipients: number }, reason: string) {
    const r = await putJson<{ changed: boolean; withdrawn: boolean }>(key(villageId, month, category), { ...figure, reason })
    await load(month)
    return r
  }
  async function publish(month: string, villageId?: number): Promise<number> {
    const r = await postJson<{ published: number }>('/api/welfare-funds/publications', villageId ? { month, villageId } : { month })
    await load(month)
    return r.published
  }
  async function withdraw(villageId: number, month: string): Promise<void> {
    await deleteJson(`/api/welfare-funds/publications/${villageId}/${month}`)
    await load(month)
  }

  return { list, loading, file, report, done, busy, load, choose, preview, commit, correct, publish, withdraw }
})

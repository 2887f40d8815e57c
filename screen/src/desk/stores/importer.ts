import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { ApiError, authHeaders } from '../../shared/api.ts'
import { useAuthStore } from '../../shared/stores/auth.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface ImportReport {
  rows: number
  imported: number
  alreadyImported: number
  errors: { row: number; field: string; reason: string }[]
  dryRun?: boolean
  wouldImport?: number
  preview?: { row: number; externalId: string; time: string; category: string; description: string; place: string; importedBefore: boolean }[]
}

/** the content type the import route reads, from the file's name (browsers often give .csv no type) */
export function importType(file: File): string | null {
  const name = file.name.toLowerCase()
  if (name.endsWith('.csv')) return 'text/csv'
  if (name.endsWith('.xlsx')) return XLSX
  return null
}

/**
 * The 12345 import: a dry run first (every row checked, nothing written), then the same file for
 * real. This goes around the shared client on purpose: a file with bad rows is answered 422 with
 * the whole report as the body ({errors:[{row, field, reason}]}), which the client's ApiError
 * reduces to a message, and that report is the whole point of the preview.
 */
export const useImportStore = defineStore('deskImport', () => {
  const file = shallowRef<File | null>(null)
  const report = shallowRef<ImportReport | null>(null)
  const done = shallowRef<ImportReport | null>(null)
  const busy = ref(false)

  async function send(dryRun: boolean): Promise<ImportReport> {
    const f = file.value!
    const type = importType(f)
    if (!type) throw new ApiError(415, '只能导入 .csv 或 .xlsx 文件（12345 平台导出格式）')
    let res: Response
    try {
      res = await fetch(`/api/work-orders/import${dryRun ? '?dryRun=1' : ''}`, {
        method: 'POST', headers: { Accept: 'application/json', 'Content-Type': type, ...authHeaders() }, body: f,
      })
    } catch {
      throw new ApiError(0, '网络不可用，请检查连接后重试')
    }
    const body = (await res.json().catch(() => null)) as (ImportReport & { message?: string }) | null
    if (res.ok || (res.status === 422 && body && Array.isArray(body.errors))) return body!
    if (res.status === 401) useAuthStore().expire()
    throw new ApiError(res.status, body?.message ?? `请求失败 (${res.status})`)
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
      if (r.errors.length) report.value = r // the rows changed since the preview? show why
      else {
        done.value = r
        report.value = null
      }
    } finally {
      busy.value = false
    }
  }

  return { file, report, done, busy, choose, preview, commit }
})

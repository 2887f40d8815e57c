import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { getJson } from '../../shared/api.ts'
import { sendImportFile, tableType, useFileImport } from '../composables/useFileImport.ts'
import type { DataItem } from './dataItems.ts'

export interface DeptImportReport {
  departmentId: number
  rows: number
  /** 'format': the file has problems of its own (no ID number was matched); 'register': a well-formed file matched against the register */
  checked: 'format' | 'register'
  changed: number
  unchanged: number
  /** the file's problems by row and column, or (checked 'register') the rows it cannot apply, all for one reason */
  errors: { row: number; column: string; reason: string }[]
  /** the first changes (the server previews 200): the row, its ID number masked, the item and the new value */
  changes: { row: number; idNumber: string; item: string; value: unknown }[]
  dryRun: boolean
  importId?: number
}
export interface PastImport {
  id: number
  at: string
  actor: string
  departmentId: number
  departmentName: string
  fileName: string
  rows: number
  changed: number
  unchanged: number
}

export const TEMPLATE_HEADER = '身份证号,数据项,值'

/** a CSV template: the header and a row per item of the department, for Excel (UTF-8 with BOM) */
export function templateCsv(items: DataItem[]): Blob {
  const example = (i: DataItem) => (i.type === 'boolean' ? '是' : i.type === 'choice' ? i.choices?.[0] ?? '' : i.type === 'number' ? '0' : '')
  const lines = [TEMPLATE_HEADER, ...items.map((i) => `,${i.label},${example(i)}`)]
  return new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })
}

/**
 * 部门数据导入: a county department's list for its own items (身份证号, 数据项, 值). A dry run
 * first: the file's own problems by row and column, or, for a well-formed file, the new values,
 * how many stay as they are and the rows it cannot apply (the server answers 422 with that
 * report, kept in ApiError.body); then the same file for real, all rows in one transaction or
 * none. Checks against the register are limited per account and day (429 import_check_limit).
 */
export const useDeptImportStore = defineStore('deskDeptImport', () => {
  const departmentId = ref<number | null>(null)
  const past = shallowRef<PastImport[]>([])
  async function loadPast(): Promise<void> {
    past.value = await getJson<PastImport[]>('/api/imports/department-data?limit=50')
  }
  const run = useFileImport((f: File, dryRun: boolean, admin: boolean) => {
    const q = new URLSearchParams()
    if (dryRun) q.set('dryRun', '1')
    if (admin && departmentId.value) q.set('department', String(departmentId.value))
    return sendImportFile<DeptImportReport>(`/api/imports/department-data?${q}`, f, tableType(f))
  }, (r) => r.errors.length > 0, loadPast)
  return { departmentId, past, ...run, loadPast }
})

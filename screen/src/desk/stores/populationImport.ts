import { sendImportFile, tableType, useFileImport } from '../composables/useFileImport.ts'
import type { DataItem } from './dataItems.ts'

export interface RowProblem {
  row: number
  column: string
  reason: string
}

export interface HouseholdImportReport {
  rows: number
  created: number
  updated: number
  unchanged: number
  placed: number
  unplaced: number
  errors: RowProblem[]
  ignoredColumns: string[]
  dryRun: boolean
  preview: { row: number; code: string; address: string; village: string; grid: string | null; action: 'create' | 'update' | 'unchanged'; placed: boolean }[]
}

export interface ResidentImportReport {
  rows: number
  /** 'format': the file has problems of its own (no ID number was looked up); 'register': its ID numbers were matched */
  checked: 'format' | 'register'
  created: number
  households: number
  errors: RowProblem[]
  items: string[]
  ignoredColumns: string[]
  dryRun: boolean
  preview: { row: number; idNumber: string; name: string; gender: string; relation: string; code: string; items: number }[]
}

export type PopulationImportKind = 'households' | 'residents'
export type ReportOf<K extends PopulationImportKind> = K extends 'households' ? HouseholdImportReport : ResidentImportReport

const csvBlob = (lines: string[]) => new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })

/** a households template for Excel (UTF-8 with BOM): one located row, one waiting with its grid, one with its village */
export const householdTemplate = () => csvBlob([
  '户号,地址,门牌号,经度,纬度,网格编码,村',
  '370000000001,某镇某村一组1号,1,117.4012345,35.1012345,,',
  '370000000002,某镇某村一组2号,2,,,网格编码,',
  '370000000003,某镇某村二组3号,3,,,,村名',
])

/** a residents template: the required columns, the phone, and the data items a 户籍 list may carry (by their labels) */
export const residentTemplate = (items: DataItem[]) => {
  const extra = items.filter((i) => i.type !== 'column').slice(0, 6)
  return csvBlob([
    ['身份证号', '姓名', '性别', '出生日期', '与户主关系', '户号', '联系电话', '党员', ...extra.map((i) => i.label)].join(','),
    ['', '张三', '男', '1980-01-01', '户主', '370000000001', '', '否', ...extra.map(() => '')].join(','),
  ])
}

/**
 * 户籍导入 (公安's 标准地址 and 户籍 lists): a dry run first (the server answers 422 with the whole
 * report when rows are bad, kept in ApiError.body), then the same file for real, all rows or none.
 * The residents' check against the register is limited per account and day (429 import_check_limit).
 */
export function usePopulationImport<K extends PopulationImportKind>(kind: K) {
  return useFileImport((f: File, dryRun: boolean, query: Record<string, string | number | null | undefined> = {}) => {
    const q = new URLSearchParams()
    if (dryRun) q.set('dryRun', '1')
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v))
    return sendImportFile<ReportOf<K>>(`/api/imports/${kind}?${q}`, f, tableType(f))
  }, (r) => r.errors.length > 0)
}

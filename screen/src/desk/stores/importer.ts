import { defineStore } from 'pinia'
import { sendImportFile, tableType, useFileImport } from '../composables/useFileImport.ts'

export interface ImportReport {
  rows: number
  imported: number
  alreadyImported: number
  errors: { row: number; field: string; reason: string }[]
  dryRun?: boolean
  wouldImport?: number
  preview?: { row: number; externalId: string; time: string; category: string; description: string; place: string; importedBefore: boolean }[]
}

/**
 * The 12345 import: a dry run first (every row checked, nothing written), then the same file for
 * real; a file with bad rows is answered with the whole report ({errors:[{row, field, reason}]}).
 */
export const useImportStore = defineStore('deskImport', () =>
  useFileImport(
    (f: File, dryRun: boolean) => sendImportFile<ImportReport>(`/api/work-orders/import${dryRun ? '?dryRun=1' : ''}`, f, tableType(f, '只能导入 .csv 或 .xlsx 文件（12345 平台导出格式）')),
    (r) => r.errors.length > 0,
  ),
)

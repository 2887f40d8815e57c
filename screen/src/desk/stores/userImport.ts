import { defineStore } from 'pinia'
import { sendImportFile, tableType, useFileImport } from '../composables/useFileImport.ts'

export interface ImportedAccount {
  row: number
  username: string
  displayName: string
  role: string
  scope: string
  /** in the apply's answer only, shown once */
  password?: string
}
export interface UserImportReport {
  rows: number
  created: number
  dryRun: boolean
  errors: { row: number; column: string; reason: string }[]
  accounts: ImportedAccount[]
  /** the accounts with their passwords as an XLSX workbook, base64 */
  sheet?: string
}

export const USER_IMPORT_HEADER = '账号,姓名,角色,村或网格编码,手机'

/** a CSV template with one example of each kind of row, for Excel (UTF-8 with BOM) */
export function userTemplateCsv(): Blob {
  const lines = [
    USER_IMPORT_HEADER,
    'zhang.cadre,张村干,村干部,<村编码>,13800000000',
    'li.gw,李网格,网格员,<网格编码>,13900000000',
    'wang.leader,王镇长,镇领导,<镇编码或镇名，留空为全县>,',
    'wall-1,指挥中心大屏,大屏显示,,',
  ]
  return new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' })
}

/** the sheet of one-time passwords from the apply's answer, as a file to save */
export function passwordSheetBlob(base64: string): Blob {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
}

/**
 * 账号批量导入: a dry run first (every row checked, the accounts previewed, nothing written), then
 * the same file for real; the answer holds each new account's one-time password, shown once and
 * kept only in this store until the dialog closes.
 */
export const useUserImportStore = defineStore('deskUserImport', () => {
  const run = useFileImport(
    (f: File, dryRun: boolean) => sendImportFile<UserImportReport>(`/api/imports/users${dryRun ? '?dryRun=1' : ''}`, f, tableType(f)),
    (r) => r.errors.length > 0,
  )
  /** the passwords leave the page's memory with the dialog */
  const reset = () => run.choose(null)
  return { ...run, reset }
})

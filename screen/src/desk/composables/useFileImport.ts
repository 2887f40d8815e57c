import { ref, shallowRef } from 'vue'
import { ApiError, postFile } from '../../shared/api.ts'

/**
 * A file sent to an import route, with the report it answers. The imports answer a file with bad
 * rows or problems 422 and the whole report as the body (`rows_rejected`, `boundary_problems`):
 * the report is the point of a dry run, so it is returned, not thrown as a bare message.
 */
export async function sendImportFile<R>(path: string, file: File, type: string): Promise<R> {
  try {
    return await postFile<R>(path, file, type, { 'X-File-Name': encodeURIComponent(file.name) })
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && (err.code === 'rows_rejected' || err.code === 'boundary_problems') && err.body) return err.body as R
    throw err
  }
}

/**
 * Every import on the desk goes the same way: a file is chosen, a dry run answers what the import
 * would do (nothing written), then the same file is imported, all or nothing. `send` puts the file
 * to its route; `refused` tells a report that wrote nothing (its rows changed since the dry run:
 * it is shown instead of the result).
 */
export function useFileImport<R, A extends unknown[] = []>(
  send: (file: File, dryRun: boolean, ...args: A) => Promise<R>, refused: (r: R) => boolean, after?: (r: R) => Promise<void> | void,
) {
  const file = shallowRef<File | null>(null)
  const report = shallowRef<R | null>(null)
  const done = shallowRef<R | null>(null)
  const busy = ref(false)

  function choose(f: File | null): void {
    file.value = f
    report.value = null
    done.value = null
  }
  async function preview(...args: A): Promise<void> {
    busy.value = true
    done.value = null
    try {
      report.value = await send(file.value!, true, ...args)
    } finally {
      busy.value = false
    }
  }
  async function commit(...args: A): Promise<void> {
    busy.value = true
    try {
      const r = await send(file.value!, false, ...args)
      if (refused(r)) report.value = r
      else {
        done.value = r
        report.value = null
        await after?.(r)
      }
    } finally {
      busy.value = false
    }
  }
  return { file, report, done, busy, choose, preview, commit }
}

/** the content type a table import reads, from the file's name (browsers often give .csv no type) */
export function importType(file: File): string | null {
  const name = file.name.toLowerCase()
  if (name.endsWith('.csv')) return 'text/csv'
  if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  return null
}

/** a table file's content type, or the refusal a screen shows */
export function tableType(file: File, what = '只能导入 .csv 或 .xlsx 文件'): string {
  const type = importType(file)
  if (!type) throw new ApiError(415, what, undefined, 'unsupported_media_type')
  return type
}

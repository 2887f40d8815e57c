import { ApiError, authHeaders } from '../shared/api.ts'
import { useAuthStore } from '../shared/stores/auth.ts'

/** Saves a Blob made or fetched in the page as a file (the browser's own download). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  // the download has taken the bytes by the next turn; the URL is not needed after
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/**
 * Downloads a file the server makes (an XLSX export) with the bearer token in a header, never in
 * the address (an address lands in logs and history), and saves it under the server's own name.
 * A refusal throws the server's ApiError (its code and reason), as any other request does.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<string> {
  let res: Response
  try {
    res = await fetch(path, { headers: authHeaders() })
  } catch {
    throw new ApiError(0, '网络不可用，请检查连接后重试')
  }
  if (!res.ok) {
    if (res.status === 401) useAuthStore().expire()
    const body = (await res.json().catch(() => null)) as { message?: string; code?: string } | null
    throw new ApiError(res.status, body?.message ?? `导出失败 (${res.status})`, body, body?.code)
  }
  const cd = res.headers.get('Content-Disposition') ?? ''
  const star = cd.match(/filename\*=UTF-8''([^;]+)/)
  const name = star ? decodeURIComponent(star[1]) : fallbackName
  saveBlob(await res.blob(), name)
  return name
}

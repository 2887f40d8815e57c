import { useAuthStore } from './stores/auth.ts'

export function authHeaders(): Record<string, string> {
  const token = useAuthStore().token
  return token ? { Authorization: `Bearer ${token}` } : {}
}

// The screen's only way to the server: same-origin JSON with the bearer token.
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json', ...authHeaders() } })
  if (res.status === 401) {
    useAuthStore().expire()
    throw new Error('未登录')
  }
  if (!res.ok) {
    let message = `${res.status}`
    try {
      message = ((await res.json()) as { message?: string }).message ?? message
    } catch {
      /* not JSON */
    }
    throw new Error(`${path}: ${message}`)
  }
  return (await res.json()) as T
}

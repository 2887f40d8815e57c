import { useAuthStore } from './stores/auth.ts'

export function authHeaders(): Record<string, string> {
  const token = useAuthStore().token
  return token ? { Authorization: `Bearer ${token}` } : {}
}

/**
 * A request the server refused or could not answer. `message` is the server's own reason
 * (its error bodies say which field or state is wrong), so a screen shows it as it is;
 * `code` is the server's stable name for the refusal, which is what a screen acts on
 * ('network' when no answer came).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** the whole JSON answer, for refusals that carry a report (an import's 422 lists every bad row) */
    readonly body?: unknown,
    readonly code: string = status === 0 ? 'network' : 'unknown',
  ) {
    super(message)
  }
}

async function failure(res: Response): Promise<ApiError> {
  if (res.status === 401) useAuthStore().expire()
  let message = res.status === 401 ? '登录已失效，请重新登录' : `请求失败 (${res.status})`
  let body: unknown
  try {
    body = await res.json()
    const m = (body as { message?: unknown }).message
    if (typeof m === 'string' && res.status !== 401) message = m
  } catch {
    /* not JSON */
  }
  const code = (body as { code?: unknown } | undefined)?.code
  return new ApiError(res.status, message, body, typeof code === 'string' ? code : undefined)
}

async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response
  try {
    const binary = body instanceof Blob || body instanceof ArrayBuffer
    res = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined && !binary ? { 'Content-Type': 'application/json' } : {}), ...authHeaders(), ...headers },
      body: body === undefined ? undefined : binary ? (body as BodyInit) : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, '网络不可用，请检查连接后重试')
  }
  if (!res.ok) throw await failure(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

// The screens' only way to the server: same-origin JSON with the bearer token, one error shape.
export const getJson = <T>(path: string): Promise<T> => request<T>('GET', path)
export const postJson = <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body ?? {})
export const putJson = <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body)
export const patchJson = <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body)
/** a body only where the route asks for one (撤管 carries its reason) */
export const deleteJson = <T = void>(path: string, body?: unknown): Promise<T> => request<T>('DELETE', path, body)
/** a file as the body (a photo, a spreadsheet), with its own content type */
export const postFile = <T>(path: string, file: Blob, type = file.type, headers: Record<string, string> = {}): Promise<T> =>
  request<T>('POST', path, file, { 'Content-Type': type || 'application/octet-stream', ...headers })

/** "something went wrong" for a person: the server's reason when there is one */
export const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))

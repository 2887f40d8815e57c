// The demo's people reach the API as real ones do: over HTTP, each with her own account's
// token (or none: a resident on the public page). The simulator holds no password: tokens come
// from whoever started it (npm start issues them on request, the tests sign in).

/** A token for a demo account; `fresh` after a 401 (the 12-hour session of a person ended). Null: no such account. */
export type TokenSource = (username: string, fresh: boolean) => Promise<string | null>

export class LifeApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message)
  }
}

export interface LifeApi {
  /** as the demo account `username`; null username: without an account (the public routes) */
  call<T>(username: string | null, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>
}

export function lifeApi(target: string, tokens: TokenSource): LifeApi {
  const send = async (token: string | null, method: string, path: string, body: unknown) =>
    fetch(`${target}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
  return {
    async call<T>(username: string | null, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      let token = username === null ? null : await tokens(username, false)
      if (username !== null && token === null) throw new LifeApiError(401, 'no_account', `no account ${username}`)
      let res = await send(token, method, path, body)
      if (res.status === 401 && username !== null) {
        token = await tokens(username, true)
        if (token) res = await send(token, method, path, body)
      }
      const text = await res.text()
      const json = text ? (JSON.parse(text) as unknown) : null
      if (!res.ok) {
        const e = (json ?? {}) as { code?: string; message?: string }
        throw new LifeApiError(res.status, e.code, `${method} ${path} as ${username ?? 'a resident'}: HTTP ${res.status} ${e.message ?? ''}`.trim())
      }
      return json as T
    },
  }
}

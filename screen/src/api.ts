// The screen's only way to the server: same-origin JSON.
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } })
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

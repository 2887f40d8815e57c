// How the outbox reads the server's answers: sent, keep and try later, refused for good, or signed out.

export type SendOutcome = 'sent' | 'offline' | 'refused' | 'signedOut'
export interface SendResult {
  outcome: SendOutcome
  message?: string
}

export function classify(res: Response): SendOutcome {
  if (res.ok) return 'sent'
  if (res.status === 401) return 'signedOut'
  // the server or the network between is in trouble: keep it and try again later
  if (res.status >= 500 || res.status === 408 || res.status === 429) return 'offline'
  return 'refused'
}

export async function messageOf(res: Response): Promise<string> {
  try {
    return ((await res.json()) as { message?: string }).message ?? `HTTP ${res.status}`
  } catch {
    return `HTTP ${res.status}`
  }
}

export const postJsonWith = (url: string, auth: Record<string, string>, body: unknown) =>
  fetch(url, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

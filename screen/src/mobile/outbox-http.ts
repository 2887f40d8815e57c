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
  return (await refusalOf(res)).message
}

/** A refusal as the server words it (`message`, for people) and names it (`code` and its fields, for the outbox to act on). */
export interface Refusal {
  message: string
  code?: string
  /** the structured facts some refusals carry beside their message (e.g. householdId) */
  fields: Record<string, unknown>
}

export async function refusalOf(res: Response): Promise<Refusal> {
  try {
    const body = (await res.json()) as Record<string, unknown>
    const message = typeof body.message === 'string' ? body.message : `HTTP ${res.status}`
    return { message, code: typeof body.code === 'string' ? body.code : undefined, fields: body }
  } catch {
    return { message: `HTTP ${res.status}`, fields: {} }
  }
}

export const postJsonWith = (url: string, auth: Record<string, string>, body: unknown) =>
  fetch(url, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

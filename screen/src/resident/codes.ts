// The only thing the residents' page keeps: the tracking codes this browser made, so "我的反映"
// can list them. No name, no phone, no text, no place: on a shared phone the next person sees
// codes and, through them, states and times, which is all the status page shows anyone.

const KEY = 'shuzhi.resident.codes'
/** enough for a household's year of reports; older codes still open by typing them */
const MAX = 20

export function loadCodes(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]')
    return Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string' && /^[0-9A-Z]{10,14}$/.test(c)).slice(0, MAX) : []
  } catch {
    return []
  }
}

function save(codes: string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(codes.slice(0, MAX)))
  } catch {
    /* private mode or full: the code is on screen, and the resident may write it down */
  }
}

export function rememberCode(code: string): string[] {
  const codes = [code, ...loadCodes().filter((c) => c !== code)]
  save(codes)
  return codes.slice(0, MAX)
}

export function forgetCode(code: string): string[] {
  const codes = loadCodes().filter((c) => c !== code)
  save(codes)
  return codes
}

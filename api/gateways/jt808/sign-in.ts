import type { TerminalBinding } from '../../terminals/repository.ts'
import { codesMatch, newAuthCode } from './auth-code.ts'
import { RegistrationResult, type Registration as RegistrationBody } from './messages.ts'
import type { SignInGuard } from './sign-in-guard.ts'
import { claimMismatch } from './claim.ts'

/** A refused registration of a bound ID, as the admin sees it in the terminals list. */
export interface Refusal {
  result: number
  from: string
  sent: Record<string, unknown>
  mismatched: string[]
}

/** The registry a connection signs in against (the terminals table). */
export interface SignInRegistry {
  findBinding(phone: string): Promise<TerminalBinding | null>
  /**
   * Issues the auth code unless the terminal is registered (signed in with its code since):
   * false then. Atomic, so of two registrations racing on any processes one wins.
   */
  register(phone: string, authCode: string, device: Record<string, unknown>): Promise<boolean>
  /** The first sign-in with a code: from now on registrations are refused; false if the code was replaced meanwhile. */
  confirmSignIn(phone: string, authCode: string): Promise<boolean>
  /** Keeps a refused registration of a bound terminal for the admin; never fails the answer. */
  refused(phone: string, refusal: Refusal): void
}

/** What a terminal said, fit to keep: bounded, without control characters (a jsonb string takes no NUL). */
const keepable = (sent: RegistrationBody): Record<string, unknown> =>
  Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64) : v]))

/** What a registration or authentication comes to; `close` means closing the connection unanswered. */
export type Registration = { reply: number; authCode?: string; warning?: string } | { close: string }
export type Authentication = { binding: TerminalBinding } | { reply: 'failure' } | { close: string }

/**
 * A registration (0x0100). A terminal registers once in its life and keeps its auth code (in
 * flash), so a registration of a registered terminal is someone else's: result 3 until an
 * admin resets it. Before that (never signed in, or after a logout or a reset) it must be the
 * unit the binding describes (终端ID, 制造商ID, 型号, 车牌): otherwise result 4 or 2, so whoever
 * reaches the port first cannot claim a truck. Until the terminal first signs in with its code,
 * a matching registration replaces the code, so a terminal whose registration reply was lost
 * registers again. `open` says whether the connection is still there to be answered: a code
 * for a dead connection would void the one the terminal has.
 */
export async function registration(
  registry: SignInRegistry, guard: SignInGuard, phone: string, sent: RegistrationBody, open: () => boolean,
): Promise<Registration | null> {
  const over = guard.registration()
  if (over) return { close: over }
  const binding = await registry.findBinding(phone)
  if (!open()) return null
  const refuse = (reply: number, warning: string, mismatched: string[] = []): Registration => {
    // over a budget, the attempt is not even answered (nor kept): no more IDs learnt
    const overFailures = guard.failure()
    if (overFailures) return { close: overFailures }
    if (binding) registry.refused(phone, { result: reply, from: guard.address, sent: keepable(sent), mismatched })
    return { reply, warning }
  }
  if (!binding) return refuse(RegistrationResult.terminalUnknown, 'jt808: unknown terminal refused registration')
  const alreadyRegistered = () => refuse(RegistrationResult.terminalAlreadyRegistered,
    'jt808: registration of a registered terminal refused (an admin resets it: POST /api/terminals/:phone/reset)')
  if (binding.signedIn) return alreadyRegistered()
  const mismatch = claimMismatch(binding.expected, sent)
  if (mismatch) {
    return refuse(mismatch.result, `jt808: registration does not match the binding (${mismatch.fields.join(', ')}); refused`, mismatch.fields)
  }
  const authCode = newAuthCode()
  if (!(await registry.register(phone, authCode, keepable(sent)))) return alreadyRegistered()
  return { reply: RegistrationResult.ok, authCode }
}

/** An authentication (0x0102): the code compared in constant time; a failure counts against the budgets. */
export async function authentication(
  registry: SignInRegistry, guard: SignInGuard, phone: string, presented: string, open: () => boolean,
): Promise<Authentication | null> {
  const binding = await registry.findBinding(phone)
  if (!open()) return null
  if (binding?.authCode != null && codesMatch(binding.authCode, presented) &&
    (binding.signedIn || (await registry.confirmSignIn(phone, binding.authCode)))) {
    return { binding: { ...binding, signedIn: true } }
  }
  const over = guard.failure()
  return over ? { close: over } : { reply: 'failure' }
}

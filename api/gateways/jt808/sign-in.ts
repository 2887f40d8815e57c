import type { TerminalBinding } from '../../terminals/repository.ts'
import { codesMatch, newAuthCode } from './auth-code.ts'
import { RegistrationResult } from './messages.ts'
import type { SignInGuard } from './sign-in-guard.ts'

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
}

/** What a registration or authentication comes to; `close` means closing the connection unanswered. */
export type Registration = { reply: number; authCode?: string; warning?: string } | { close: string }
export type Authentication = { binding: TerminalBinding } | { reply: 'failure' } | { close: string }

/**
 * A registration (0x0100). A terminal registers once in its life and keeps its auth code (in
 * flash), so a registration of a registered terminal is someone else's: result 3 until an
 * admin resets it. Until the terminal first signs in with its code, a registration replaces
 * the code, so a terminal whose registration reply was lost registers again. `open` says
 * whether the connection is still there to be answered: a code for a dead connection would
 * void the one the terminal has.
 */
export async function registration(
  registry: SignInRegistry, guard: SignInGuard, phone: string, device: Record<string, unknown>, open: () => boolean,
): Promise<Registration | null> {
  const over = guard.registration()
  if (over) return { close: over }
  const binding = await registry.findBinding(phone)
  if (!open()) return null
  const refuse = (reply: number, warning: string): Registration => {
    // over a budget, the attempt is not even answered: no more IDs learnt
    const overFailures = guard.failure()
    return overFailures ? { close: overFailures } : { reply, warning }
  }
  if (!binding) return refuse(RegistrationResult.terminalUnknown, 'jt808: unknown terminal refused registration')
  const authCode = newAuthCode()
  if (binding.signedIn || !(await registry.register(phone, authCode, device))) {
    return refuse(RegistrationResult.terminalAlreadyRegistered,
      'jt808: registration of a registered terminal refused (an admin resets it: POST /api/terminals/:phone/reset)')
  }
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

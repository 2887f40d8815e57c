import type { Registration } from './messages.ts'
import { RegistrationResult } from './messages.ts'

/** What the installer knows of a unit, as its binding carries it (null: not given). */
export interface ExpectedTerminal {
  terminalId: string | null
  makerId: string | null
  /** checked only when given */
  model: string | null
  /** the plate the terminal is set up with; the VIN for a truck without a plate */
  plate: string | null
}

export type ClaimField = keyof ExpectedTerminal

/** A refused claim: the 0x8100 result and the fields that did not match (names only, never values). */
export interface ClaimMismatch {
  result: number
  fields: ClaimField[]
}

/**
 * The same text however a unit or a person spelled it: full-width letters and digits as
 * ASCII, case, spaces and the separators plates are written with (鲁Q·D1234, 鲁Q-D1234).
 */
export function normalise(text: string): string {
  return text.normalize('NFKC').replace(/[\s·•・\-_]/g, '').toUpperCase()
}

const TERMINAL_FIELDS = ['terminalId', 'makerId', 'model'] as const

/**
 * Whether a registration is the unit the binding describes. A binding without a terminal
 * ID, a maker or a plate matches nothing (bound before these were asked, never completed):
 * the admin completes it from the refusal the terminals list shows. A unit that is not the
 * one installed is "terminal not in database" (4); the right unit set up with another
 * plate is "vehicle not in database" (2).
 */
export function claimMismatch(expected: ExpectedTerminal, sent: Pick<Registration, ClaimField>): ClaimMismatch | null {
  const differs = (f: ClaimField) => {
    const want = expected[f]
    if (want === null) return f !== 'model'
    return normalise(want) !== normalise(sent[f] ?? '')
  }
  const terminal = TERMINAL_FIELDS.filter(differs)
  const plate = differs('plate')
  if (terminal.length) return { result: RegistrationResult.terminalUnknown, fields: plate ? [...terminal, 'plate'] : terminal }
  if (plate) return { result: RegistrationResult.vehicleUnknown, fields: ['plate'] }
  return null
}

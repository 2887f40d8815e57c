import type { PositionInput } from '../../../geo/vehicles.ts'
import type { TerminalBinding } from '../../terminals/repository.ts'
import type { BatchOutcome } from './ingest-batcher.ts'
import type { TerminalSession } from './session.ts'
import type { VehicleMedia } from '../../../geo/vehicles.ts'
import type { ReportedAlarms } from '../../vehicles/service.ts'
import type { MediaData } from './media.ts'
import type { SignInRegistry } from './sign-in.ts'

/** What a session needs from the gateway around it. */
export interface SessionContext extends SignInRegistry {
  /** logout (0x0003): the auth code is void, the terminal must register again */
  forgetAuthCode(phone: string): Promise<void>
  ingest(positions: PositionInput[], crs: TerminalBinding['crs']): Promise<BatchOutcome>
  /** authenticated: the gateway now routes commands for this phone and vehicle here */
  attach(session: TerminalSession): void
  detach(session: TerminalSession): void
  seen(phone: string): void
  /** a whole photo upload (0x0801) of a signed-in terminal: stored, attached to its truck */
  storeMedia(binding: TerminalBinding, phone: string, media: MediaData): Promise<VehicleMedia>
  /** the alarm bits of a report; null when nothing changes (nearly always) */
  alarms(report: ReportedAlarms): Promise<void> | null
  /** once authenticated */
  limits: SessionLimits
  /** until authenticated: a stranger holds a few kB at most, for at most timeoutMs */
  unauthenticated: UnauthenticatedLimits
}

export interface SessionLimits {
  /** escaped bytes of one frame; longer is dropped */
  maxFrameBytes: number
  /** decoded messages waiting to be handled before the socket stops reading */
  maxQueuedMessages: number
  /** bytes of replies the peer has not read before it is cut off */
  maxUnreadReplyBytes: number
  /** bad frames in a row before the connection is closed: the peer speaks something else */
  maxBadFramesInARow: number
}

export interface UnauthenticatedLimits extends SessionLimits {
  /** bytes received before authenticating; a terminal needs a few hundred */
  maxBytes: number
  /** from the connection's start: a terminal registers and authenticates within seconds */
  timeoutMs: number
}

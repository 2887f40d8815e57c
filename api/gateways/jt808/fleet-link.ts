/**
 * The fleet functions on one terminal's connection: commands that wait for the terminal's
 * answer (0x8104 → 0x0104, 0x8103/0x8202 → 0x0001, 0x8801 → 0x0805), and photo uploads
 * (0x0801) answered with 0x8800 and, when packets stay missing, asked for with 0x8003.
 * Made on first use, so the tens of thousands of connections that only report hold none of it.
 */
import type { VehicleMedia } from '../../../geo/vehicles.ts'
import type { Header } from './header.ts'
import { FleetMsgId } from './ids.ts'
import {
  CameraResult, encodeMediaUploadResponse, encodeResendRequest, encodeSnapshotCommand, MediaEvent, MediaFormat, MediaType,
  snapshotOf, type CameraResponse, type MediaData,
} from './media.ts'
import type { PendingMessage, Reassembler } from './reassembly.ts'
import { encodeAlarmConfirmation, encodeTrackingControl, type AlarmConfirmation, type TrackingControl } from './control.ts'
import { encodeSetParameters, itemsOf, managedOf, type ManagedParameters, type ParametersResponse } from './parameters.ts'
import { TerminalResult, type Response } from './messages.ts'

export interface LinkSession {
  /** sends a platform message in the terminal's edition; returns its serial */
  send(msgId: number, body: Buffer): number
  readonly edition: Header['edition']
  storeMedia(media: MediaData): Promise<VehicleMedia>
  readonly reassembler: Reassembler
  warn(obj: object, msg: string): void
}

/** A command the terminal did not answer, or answered with a failure. */
export class TerminalCommandError extends Error {
  override readonly name = 'TerminalCommandError'
  constructor(readonly status: 502 | 504, message: string) {
    super(message)
  }
}

/** how long a stalled upload waits before its missing packets are asked for, and how often */
export const RESEND = { afterMs: 3000, attempts: 3 }

type Waiter = { resolve: (answer: unknown) => void; timer: NodeJS.Timeout }
type MediaWaiter = { resolve: (m: VehicleMedia) => void; reject: (e: Error) => void }

export class FleetLink {
  private readonly answers = new Map<string, Waiter>()
  private readonly photos = new Map<number, MediaWaiter>()
  private readonly asked = new Map<number, number>()
  /** media ID of each upload under way, by the serial of its first packet (which carries it) */
  private readonly uploads = new Map<number, number>()

  constructor(private readonly s: LinkSession) {}

  /** Sends a command and resolves with the decoded answer (replyId, replying to its serial), or null after timeoutMs. */
  request<T>(msgId: number, body: Buffer, replyId: number, timeoutMs: number): Promise<T | null> {
    const serial = this.s.send(msgId, body)
    const key = `${replyId}/${serial}`
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.answers.delete(key)
        resolve(null)
      }, timeoutMs)
      this.answers.set(key, { resolve: resolve as (answer: unknown) => void, timer })
    })
  }

  /** An answer from the terminal (0x0001, 0x0104, 0x0805), decoded: true when a command was waiting for it. */
  answered(replyId: number, replySerial: number, answer: unknown): boolean {
    const key = `${replyId}/${replySerial}`
    const w = this.answers.get(key)
    if (!w) return false
    this.answers.delete(key)
    clearTimeout(w.timer)
    w.resolve(answer)
    return true
  }

  /**
   * One photo now from a channel (0x8801), uploaded at once: resolves with the stored photo.
   * The terminal answers 0x0805 with the media ID it will upload under.
   */
  async snapshot(channel: number, timeoutMs: number): Promise<VehicleMedia> {
    const deadline = Date.now() + timeoutMs
    const r = await this.request<CameraResponse>(FleetMsgId.snapshot, encodeSnapshotCommand(snapshotOf(channel)), FleetMsgId.cameraResponse, timeoutMs)
    if (!r) throw new TerminalCommandError(504, `the terminal did not answer the snapshot command (0x8801) within ${timeoutMs / 1000} s`)
    if (r.result !== CameraResult.ok || !r.mediaIds.length) {
      throw new TerminalCommandError(502, r.result === CameraResult.channelUnsupported ? `the terminal has no camera on channel ${channel}` : 'the terminal could not take the photo')
    }
    const mediaId = r.mediaIds[0]
    return new Promise<VehicleMedia>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.photos.delete(mediaId)
        reject(new TerminalCommandError(504, `the terminal took the photo but did not upload it within ${timeoutMs / 1000} s`))
      }, Math.max(0, deadline - Date.now()))
      this.photos.set(mediaId, {
        resolve: (m) => { clearTimeout(timer); resolve(m) },
        reject: (e) => { clearTimeout(timer); reject(e) },
      })
    })
  }

  /** The parameters a township manages, as the terminal has them now (0x8104 → 0x0104). */
  async parameters(timeoutMs: number): Promise<ManagedParameters> {
    const r = await this.request<ParametersResponse>(FleetMsgId.queryParameters, Buffer.alloc(0), FleetMsgId.parametersResponse, timeoutMs)
    if (!r) throw new TerminalCommandError(504, `the terminal did not answer the parameter query (0x8104) within ${timeoutMs / 1000} s`)
    return managedOf(r.items)
  }

  /** Sets parameters (0x8103); resolves once the terminal answered 0x0001 with success. */
  setParameters(p: ManagedParameters, timeoutMs: number): Promise<void> {
    return this.command(FleetMsgId.setParameters, encodeSetParameters(itemsOf(p)), timeoutMs, 'parameter setting (0x8103)')
  }

  /** 加密跟踪: report every intervalS for validityS (0x8202). */
  track(t: TrackingControl, timeoutMs: number): Promise<void> {
    return this.command(FleetMsgId.trackingControl, encodeTrackingControl(t), timeoutMs, 'tracking control (0x8202)')
  }

  /** Confirms an alarm (0x8203): the terminal clears it. Not waited for: the alert is acknowledged either way. */
  confirmAlarm(a: AlarmConfirmation): void {
    this.s.send(FleetMsgId.alarmConfirmation, encodeAlarmConfirmation(a))
  }

  private async command(msgId: number, body: Buffer, timeoutMs: number, what: string): Promise<void> {
    const r = await this.request<Response>(msgId, body, 0x0001, timeoutMs)
    if (!r) throw new TerminalCommandError(504, `the terminal did not answer the ${what} within ${timeoutMs / 1000} s`)
    if (r.result !== TerminalResult.ok) {
      throw new TerminalCommandError(502, `the terminal refused the ${what} (result ${r.result}: ${['ok', 'failure', 'message error', 'not supported'][r.result] ?? 'unknown'})`)
    }
  }

  /** A packet of an upload: the first one names the media ID that 0x8800 must carry. */
  packet(header: Header, body: Buffer): void {
    const p = header.packet
    if (!p || p.index !== 1 || body.length < 4) return
    if (this.uploads.size >= 16) this.forget(this.uploads.keys().next().value!)
    this.uploads.set(header.serial, body.readUInt32BE(0))
  }

  /** The last packet of an upload came and some are missing: 0x8800 lists them (the terminal sends them again). */
  incomplete(pending: PendingMessage): void {
    this.asked.set(pending.firstSerial, 0)
    const mediaId = this.uploads.get(pending.firstSerial) ?? 0
    this.s.send(FleetMsgId.mediaUploadResponse, encodeMediaUploadResponse({ mediaId, missing: pending.missing.slice(0, 255) }))
  }

  /**
   * Uploads that got no packet for RESEND.afterMs: their missing packets are asked for with
   * 0x8003, up to RESEND.attempts times (the reassembler drops them after its own timeout).
   */
  sweep(now: number): void {
    for (const p of this.s.reassembler.stalled(now, RESEND.afterMs)) {
      if (p.msgId !== FleetMsgId.mediaData) continue
      const n = this.asked.get(p.firstSerial) ?? 0
      if (n >= RESEND.attempts) continue
      this.asked.set(p.firstSerial, n + 1)
      this.s.send(FleetMsgId.resendRequest, encodeResendRequest({ firstSerial: p.firstSerial, missing: p.missing }, this.s.edition))
    }
  }

  /** A whole upload: stored as a photo (JPEG images only), answered with 0x8800, handed to whoever asked for it. */
  async media(m: MediaData): Promise<void> {
    for (const [first, id] of this.uploads) if (id === m.mediaId) this.forget(first)
    const waiter = this.photos.get(m.mediaId)
    if (m.type !== MediaType.image || m.format !== MediaFormat.jpeg) {
      // audio and video are not kept; the upload is answered so the terminal stops sending it
      this.s.send(FleetMsgId.mediaUploadResponse, encodeMediaUploadResponse({ mediaId: m.mediaId, missing: [] }))
      return
    }
    try {
      const stored = await this.s.storeMedia(m)
      this.s.send(FleetMsgId.mediaUploadResponse, encodeMediaUploadResponse({ mediaId: m.mediaId, missing: [] }))
      if (waiter) {
        this.photos.delete(m.mediaId)
        waiter.resolve(stored)
      }
    } catch (err) {
      // not stored (not a readable JPEG, or the database was down): not answered, so the terminal may send it again
      this.s.warn({ mediaId: m.mediaId, event: m.event, err: (err as Error).message }, 'jt808: photo upload not stored')
      if (waiter && m.event === MediaEvent.platformCommand) {
        this.photos.delete(m.mediaId)
        waiter.reject(new TerminalCommandError(502, `the terminal's photo could not be stored: ${(err as Error).message}`))
      }
    }
  }

  private forget(firstSerial: number): void {
    this.uploads.delete(firstSerial)
    this.asked.delete(firstSerial)
  }

  /** the connection ended: whoever waits hears it now, not at their timeout */
  close(): void {
    for (const w of this.answers.values()) {
      clearTimeout(w.timer)
      w.resolve(null)
    }
    this.answers.clear()
    for (const w of this.photos.values()) w.reject(new TerminalCommandError(504, 'the terminal disconnected before uploading the photo'))
    this.photos.clear()
  }
}

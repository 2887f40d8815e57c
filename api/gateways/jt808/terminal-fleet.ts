/**
 * The terminal side of the fleet functions, for the simulator and the tests: a camera that
 * answers 0x8801 with 0x0805 and uploads the photo as a subpackaged 0x0801 (resending what
 * the platform lists in 0x8800 or asks for with 0x8003), parameters kept and reported
 * (0x8103, 0x8104 → 0x0104), temporary tracking (0x8202) and the emergency button, which
 * stays pressed until the platform confirms it (0x8203).
 */
import type { Header } from './header.ts'
import { FleetMsgId, MsgId } from './ids.ts'
import { decodeAlarmConfirmation, decodeTrackingControl, type TrackingControl } from './control.ts'
import {
  CameraResult, decodeMediaUploadResponse, decodeResendRequest, decodeSnapshotCommand, encodeCameraResponse, encodeMediaData,
  encodeMediaEvent, MediaEvent, MediaFormat, MediaType, type SnapshotCommand,
} from './media.ts'
import { decodeSetParameters, encodeParametersResponse, itemsOf, managedOf, type ManagedParameters } from './parameters.ts'
import { TerminalResult } from './messages.ts'
import { encodeLocation, encodeTerminalResponse, type LocationInput } from './terminal-codec.ts'
import type { Jt808Terminal } from './terminal-client.ts'
import { AlarmBit } from './location.ts'

export interface FleetTerminalOptions {
  /** a JPEG for a channel; null: no camera there (answered 2, channel not supported) */
  camera: (channel: number, cmd: SnapshotCommand) => Promise<Buffer | null>
  /** where the truck is now (the 0x0801's location) */
  whereAmI: () => LocationInput
  /** body bytes per packet of an upload */
  packetBytes?: number
  /** for tests: packet indices (1-based) not sent the first time */
  dropPackets?: number[]
  parameters?: ManagedParameters
  onTracking?: (t: TrackingControl) => void
  onParameters?: (p: ManagedParameters) => void
}

const EMERGENCY = 1 << AlarmBit.emergency

export class FleetTerminal {
  parameters: ManagedParameters
  /** the alarm word the next 0x0200 carries */
  alarm = 0
  /** uploads kept for resending, by the serial of their first packet */
  private readonly uploads = new Map<number, { mediaId: number; frames: Buffer[] }>()
  private nextMediaId = 1
  readonly stats = { snapshots: 0, resent: 0, confirmations: 0 }

  constructor(readonly terminal: Jt808Terminal, readonly opts: FleetTerminalOptions) {
    this.parameters = { heartbeatS: 60, defaultReportIntervalS: 30, sleepReportIntervalS: 300, maxSpeedKmh: 60, overspeedDurationS: 10, ...opts.parameters }
    const on = (id: number, f: (h: Header, b: Buffer) => void) => terminal.handlers.set(id, f)
    on(FleetMsgId.snapshot, (h, b) => void this.snapshot(h, decodeSnapshotCommand(b)))
    on(FleetMsgId.mediaUploadResponse, (_h, b) => {
      const r = decodeMediaUploadResponse(b)
      const first = [...this.uploads].find(([, u]) => u.mediaId === r.mediaId)?.[0]
      if (!r.missing.length && first !== undefined) this.uploads.delete(first)
      else this.resend(r.missing, first)
    })
    on(FleetMsgId.resendRequest, (h, b) => {
      const r = decodeResendRequest(b, h.edition)
      this.resend(r.missing, r.firstSerial)
    })
    on(FleetMsgId.queryParameters, (h) => {
      this.write(FleetMsgId.parametersResponse, encodeParametersResponse({ replySerial: h.serial, items: itemsOf(this.parameters) }))
    })
    on(FleetMsgId.setParameters, (h, b) => {
      this.parameters = { ...this.parameters, ...managedOf(decodeSetParameters(b)) }
      this.answer(h, TerminalResult.ok)
      opts.onParameters?.(this.parameters)
    })
    on(FleetMsgId.trackingControl, (h, b) => {
      this.answer(h, TerminalResult.ok)
      opts.onTracking?.(decodeTrackingControl(b))
    })
    on(FleetMsgId.alarmConfirmation, (h, b) => {
      const c = decodeAlarmConfirmation(b)
      // the button's alarm is cleared once the platform confirms it, as the standard says
      if (c.types & EMERGENCY) this.alarm = (this.alarm & ~EMERGENCY) >>> 0
      this.stats.confirmations++
      this.answer(h, TerminalResult.ok)
    })
  }

  /** The driver presses the emergency button: set until confirmed, reported at once. */
  pressEmergency(): Promise<unknown> {
    this.alarm = (this.alarm | EMERGENCY) >>> 0
    return this.terminal.report({ ...this.opts.whereAmI(), alarm: this.alarm })
  }

  get emergency(): boolean {
    return (this.alarm & EMERGENCY) !== 0
  }

  /** A photo the terminal takes on its own (an alarm): 0x0800 announces it, 0x0801 uploads it. */
  async upload(channel: number, event: number): Promise<void> {
    const jpeg = await this.opts.camera(channel, { channel, command: 1, intervalS: 0, save: 0, resolution: 2, quality: 5, brightness: 128, contrast: 64, saturation: 64, chroma: 128 })
    if (!jpeg) return
    const mediaId = this.nextMediaId++
    const head = { mediaId, type: MediaType.image, format: MediaFormat.jpeg, event, channel }
    this.write(FleetMsgId.mediaEvent, encodeMediaEvent(head))
    this.send(head, jpeg, false)
  }

  private write(msgId: number, body: Buffer): void {
    this.terminal.writeRaw(Buffer.concat(this.terminal.sendMessage(msgId, body)))
  }

  private answer(h: Header, result: number): void {
    this.write(MsgId.terminalResponse, encodeTerminalResponse({ replySerial: h.serial, replyId: h.msgId, result }))
  }

  private async snapshot(h: Header, cmd: SnapshotCommand): Promise<void> {
    const jpeg = cmd.command === 0 ? null : await this.opts.camera(cmd.channel, cmd)
    const mediaId = this.nextMediaId++
    const reply = jpeg
      ? encodeCameraResponse({ replySerial: h.serial, result: CameraResult.ok, mediaIds: [mediaId] })
      : encodeCameraResponse({ replySerial: h.serial, result: CameraResult.channelUnsupported, mediaIds: [] })
    this.write(FleetMsgId.cameraResponse, reply)
    if (!jpeg) return
    this.stats.snapshots++
    this.send({ mediaId, type: MediaType.image, format: MediaFormat.jpeg, event: MediaEvent.platformCommand, channel: cmd.channel }, jpeg, true)
  }

  private send(head: Parameters<typeof encodeMediaData>[0], jpeg: Buffer, mayDrop: boolean): void {
    const here = this.opts.whereAmI()
    // 0x0801 carries the 28-byte location without extra items
    const location = encodeLocation({ ...here, alarm: this.alarm, extras: undefined, otherItems: undefined })
    const first = this.terminal.nextSerial
    const frames = this.terminal.sendMessage(FleetMsgId.mediaData, encodeMediaData(head, location, jpeg), this.opts.packetBytes ?? 1000)
    this.uploads.set(first, { mediaId: head.mediaId, frames })
    if (this.uploads.size > 4) this.uploads.delete(this.uploads.keys().next().value!)
    const drop = new Set(mayDrop ? this.opts.dropPackets ?? [] : [])
    this.terminal.writeRaw(Buffer.concat(frames.filter((_f, i) => !drop.has(i + 1))))
  }

  /** the packets the platform says are missing, sent again with their own serials */
  private resend(missing: number[], firstSerial: number | undefined): void {
    if (!missing.length || firstSerial === undefined) return
    const frames = this.uploads.get(firstSerial)?.frames
    if (!frames) return
    const again = missing.filter((i) => i >= 1 && i <= frames.length).map((i) => frames[i - 1])
    this.stats.resent += again.length
    this.terminal.writeRaw(Buffer.concat(again))
  }
}

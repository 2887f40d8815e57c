import type { PositionInput } from '../../../geo/vehicles.ts'
import { StatusBit } from '../../../api/gateways/jt808/location.ts'
import { PlatformResult } from '../../../api/gateways/jt808/messages.ts'
import type { LonLat } from '../routes.ts'
import type { SimOrder, Transport } from '../transport.ts'
import { AlreadyRegisteredError, Jt808Terminal, RegistrationRefusedError, simulatedUnit } from '../../../api/gateways/jt808/terminal-client.ts'
import { demoEdition, demoTerminalPhone } from '../../../api/terminals/demo.ts'
import type { LocationInput } from '../../../api/gateways/jt808/terminal-codec.ts'
import { type AuthCodes, memoryAuthCodes } from './auth-codes.ts'
import { FleetTerminal } from '../../../api/gateways/jt808/terminal-fleet.ts'
import { MediaEvent } from '../../../api/gateways/jt808/media.ts'
import { cameraPicture } from './camera.ts'

const POSITIONED = (1 << StatusBit.positioned) | (1 << StatusBit.acc) | (1 << StatusBit.gps) | (1 << StatusBit.beidou)
/** fixes per 0x0704 message; longer uploads are several messages (each subpackaged as needed) */
const PER_BATCH = 200

const toLocation = (p: PositionInput, alarm = 0): LocationInput => ({
  alarm, status: POSITIONED, lat: p.lat, lon: p.lon, speedKmh: p.speedKmh, direction: Math.round(p.heading) % 360, time: p.time,
  extras: { gnssSatellites: 12, signalStrength: 25 },
})

export interface Jt808TransportOptions {
  /** where the terminals keep their auth codes (a file, so they survive a restart); in memory when not given */
  codes?: AuthCodes
  /** wait after a registration refused (result 3, or 2/4: not the unit bound) before trying again; doubles up to 10 minutes */
  refusedRetryMs?: number
  /**
   * each truck's plate (the fixtures' vehicles, loadPlates), which its unit says at registration
   * as the demo's binding expects: required, a unit registering without it is refused (result 2)
   */
  plates: Map<number, string>
}

/** A truck whose terminal is waiting to try again after its registration was refused. */
class Waiting extends Error {}

/** The JT/T 808 transport's extras: the trucks' terminals as a driver and a camera use them. */
export interface Jt808Transport extends Transport {
  /** the driver presses the emergency button: reported at once, with a photo from channel 1, held until the platform confirms it (0x8203) */
  pressEmergency(vehicleId: number): Promise<void>
  /** what each truck's terminal was last told (parameters, tracking) */
  fleet(vehicleId: number): FleetTerminal | undefined
}

/**
 * Each truck is a JT/T 808 terminal on its own TCP connection (the demo fleet alternates
 * 2013 and 2019 editions): current fixes as 0x0200, fixes held back during a network gap as a
 * blind-zone 0x0704 batch. Dispatch orders arrive as 0x8300 text naming the collection point.
 * Like a real terminal, each registers once and keeps its auth code (opts.codes); a terminal
 * the platform knows as registered while its code is lost waits for an admin's reset.
 */
export function jt808Transport(host: string, port: number, collectionPoints: Map<string, LonLat>, opts: Jt808TransportOptions): Jt808Transport {
  const codes = opts.codes ?? memoryAuthCodes()
  const terminals = new Map<number, Jt808Terminal>()
  const fleets = new Map<number, FleetTerminal>()
  /** where each truck was last, for the photo's location and a report between fixes */
  const lastFix = new Map<number, PositionInput>()
  const connecting = new Map<number, Promise<Jt808Terminal>>()
  const refused = new Map<number, { until: number; waitMs: number }>()
  let orderHandler: ((o: SimOrder) => void) | null = null

  const terminalOf = (vehicleId: number): Promise<Jt808Terminal> => {
    const known = terminals.get(vehicleId)
    if (known?.connected) return Promise.resolve(known)
    if ((refused.get(vehicleId)?.until ?? 0) > Date.now()) return Promise.reject(new Waiting())
    let pending = connecting.get(vehicleId)
    if (!pending) {
      const edition = demoEdition(vehicleId)
      const phone = demoTerminalPhone(vehicleId, edition)
      const term = known ?? new Jt808Terminal({
        host, port, phone, edition, replyTimeoutMs: 15_000, authCode: codes.get(phone), registration: simulatedUnit(phone, opts.plates.get(vehicleId)),
      })
      if (!fleets.has(vehicleId)) {
        fleets.set(vehicleId, new FleetTerminal(term, {
          camera: async (channel) => (channel >= 1 && channel <= 2 ? cameraPicture(vehicleId, channel) : null),
          whereAmI: () => {
            const p = lastFix.get(vehicleId)
            return p ? toLocation({ ...p, time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() }) : { status: 0, lat: 0, lon: 0, time: null }
          },
        }))
      }
      term.onText = (m) => {
        const name = /请前往(.+?)收运/.exec(m.text)?.[1]
        const target = name ? collectionPoints.get(name) : undefined
        if (target) orderHandler?.({ vehicleId, target, label: `${vehicleId} 号车终端收到: ${m.text}` })
      }
      pending = term
        .connect()
        .then(() => term.login())
        .then(() => {
          refused.delete(vehicleId)
          terminals.set(vehicleId, term)
          return term
        })
        .catch((err: unknown) => {
          term.close()
          if (err instanceof AlreadyRegisteredError || err instanceof RegistrationRefusedError) {
            const waitMs = Math.min(600_000, (refused.get(vehicleId)?.waitMs ?? (opts.refusedRetryMs ?? 30_000) / 2) * 2)
            refused.set(vehicleId, { until: Date.now() + waitMs, waitMs })
          }
          throw err
        })
        .finally(() => {
          // a code issued is kept at once, even if signing in with it failed afterwards
          if (term.authCode) codes.set(phone, term.authCode)
          connecting.delete(vehicleId)
        })
      connecting.set(vehicleId, pending)
    }
    return pending
  }

  const sendTruck = async (vehicleId: number, fixes: PositionInput[]): Promise<{ ok: number; refused: number }> => {
    const term = await terminalOf(vehicleId)
    const alarm = fleets.get(vehicleId)?.alarm ?? 0
    lastFix.set(vehicleId, fixes[fixes.length - 1])
    let ok = 0
    let refused = 0
    const count = (result: number, n: number) => {
      if (result === PlatformResult.ok) ok += n
      else if (result === PlatformResult.messageError) refused += n
      else throw new Error(`platform answered ${result}`)
    }
    if (fixes.length === 1) count((await term.report(toLocation(fixes[0], alarm))).result, 1)
    else {
      for (let i = 0; i < fixes.length; i += PER_BATCH) {
        const part = fixes.slice(i, i + PER_BATCH)
        count((await term.reportBatch(part.map(toLocation), 1)).result, part.length)
      }
    }
    return { ok, refused }
  }

  return {
    async send(batch, stats, log) {
      const byTruck = new Map<number, PositionInput[]>()
      for (const p of batch) {
        let list = byTruck.get(p.vehicleId)
        if (!list) byTruck.set(p.vehicleId, (list = []))
        list.push(p)
      }
      const failed: PositionInput[] = []
      await Promise.all(
        [...byTruck].map(async ([vehicleId, fixes]) => {
          try {
            const { ok, refused } = await sendTruck(vehicleId, fixes)
            stats.sent += fixes.length
            stats.accepted += ok
            stats.rejected += refused
          } catch (err) {
            failed.push(...fixes)
            if (err instanceof Waiting) return
            stats.failedRequests++
            if (err instanceof AlreadyRegisteredError || err instanceof RegistrationRefusedError) {
              const waitS = Math.round(refused.get(vehicleId)!.waitMs / 1000)
              log?.(`${vehicleId} 号车终端 ${err.phone} 已在平台注册, 但模拟器没有它的鉴权码 (平台拒绝再次注册, 结果 3): ` +
                `需管理员重置该终端 (POST /api/terminals/${err.phone}/reset), ${waitS} s 后重试`)
            } else if (err instanceof RegistrationRefusedError) {
              const waitS = Math.round(refused.get(vehicleId)!.waitMs / 1000)
              log?.(`${vehicleId} 号车终端 ${err.phone} 注册被拒 (结果 ${err.result}): 终端ID、制造商ID、型号或车牌与平台的绑定不符, ` +
                `需管理员核对绑定 (PATCH /api/terminals/${err.phone}), ${waitS} s 后重试`)
            } else if (stats.failedRequests % 20 === 1) log?.(`JT/T 808 ${vehicleId} 号车发送失败, 稍后重发: ${(err as Error).message}`)
            terminals.get(vehicleId)?.close()
          }
        }),
      )
      return failed
    },
    onOrder(handler) {
      orderHandler = handler
    },
    async pressEmergency(vehicleId) {
      await terminalOf(vehicleId)
      const fleet = fleets.get(vehicleId)!
      await fleet.pressEmergency()
      // a terminal photographs the cab when its alarm goes off, and uploads it by itself
      await fleet.upload(1, MediaEvent.robberyAlarm)
    },
    fleet: (vehicleId) => fleets.get(vehicleId),
    async close() {
      for (const term of terminals.values()) term.close()
    },
  }
}

import type { PositionInput } from '../../../geo/vehicles.ts'
import { StatusBit } from '../../../api/gateways/jt808/location.ts'
import { PlatformResult } from '../../../api/gateways/jt808/messages.ts'
import type { LonLat } from '../routes.ts'
import type { SimOrder, Transport } from '../transport.ts'
import { Jt808Terminal } from '../../../api/gateways/jt808/terminal-client.ts'
import { demoEdition, demoTerminalPhone } from '../../../api/terminals/demo.ts'
import type { LocationInput } from '../../../api/gateways/jt808/terminal-codec.ts'

const POSITIONED = (1 << StatusBit.positioned) | (1 << StatusBit.acc) | (1 << StatusBit.gps) | (1 << StatusBit.beidou)
/** fixes per 0x0704 message; longer uploads are several messages (each subpackaged as needed) */
const PER_BATCH = 200

const toLocation = (p: PositionInput): LocationInput => ({
  status: POSITIONED, lat: p.lat, lon: p.lon, speedKmh: p.speedKmh, direction: Math.round(p.heading) % 360, time: p.time,
  extras: { gnssSatellites: 12, signalStrength: 25 },
})

/**
 * Each truck is a JT/T 808 terminal on its own TCP connection (the demo fleet alternates
 * 2013 and 2019 editions): current fixes as 0x0200, fixes held back during a network gap as a
 * blind-zone 0x0704 batch. Dispatch orders arrive as 0x8300 text naming the collection point.
 */
export function jt808Transport(host: string, port: number, collectionPoints: Map<string, LonLat>): Transport {
  const terminals = new Map<number, Jt808Terminal>()
  const connecting = new Map<number, Promise<Jt808Terminal>>()
  let orderHandler: ((o: SimOrder) => void) | null = null

  const terminalOf = (vehicleId: number): Promise<Jt808Terminal> => {
    const known = terminals.get(vehicleId)
    if (known?.connected) return Promise.resolve(known)
    let pending = connecting.get(vehicleId)
    if (!pending) {
      const edition = demoEdition(vehicleId)
      const term = known ?? new Jt808Terminal({ host, port, phone: demoTerminalPhone(vehicleId, edition), edition, replyTimeoutMs: 15_000 })
      term.onText = (m) => {
        const name = /请前往(.+?)收运/.exec(m.text)?.[1]
        const target = name ? collectionPoints.get(name) : undefined
        if (target) orderHandler?.({ vehicleId, target, label: `${vehicleId} 号车终端收到: ${m.text}` })
      }
      pending = term
        .connect()
        .then(() => term.login())
        .then(() => (terminals.set(vehicleId, term), term))
        .finally(() => connecting.delete(vehicleId))
      connecting.set(vehicleId, pending)
    }
    return pending
  }

  const sendTruck = async (vehicleId: number, fixes: PositionInput[]): Promise<{ ok: number; refused: number }> => {
    const term = await terminalOf(vehicleId)
    let ok = 0
    let refused = 0
    const count = (result: number, n: number) => {
      if (result === PlatformResult.ok) ok += n
      else if (result === PlatformResult.messageError) refused += n
      else throw new Error(`platform answered ${result}`)
    }
    if (fixes.length === 1) count((await term.report(toLocation(fixes[0]))).result, 1)
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
            stats.failedRequests++
            if (stats.failedRequests % 20 === 1) log?.(`JT/T 808 ${vehicleId} 号车发送失败, 稍后重发: ${(err as Error).message}`)
            terminals.get(vehicleId)?.close()
            failed.push(...fixes)
          }
        }),
      )
      return failed
    },
    onOrder(handler) {
      orderHandler = handler
    },
    async close() {
      for (const term of terminals.values()) term.close()
    },
  }
}

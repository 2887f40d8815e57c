import { io } from 'socket.io-client'
import type { PositionInput } from '../../geo/vehicles.ts'
import type { LonLat } from './routes.ts'

/** A dispatch order as the simulated driver understands it. */
export interface SimOrder {
  vehicleId: number
  target: LonLat
  /** for the log */
  label: string
}

/** How fixes leave the simulated trucks and orders reach them. */
export interface Transport {
  /** Sends fixes; returns those that did not get through and must be sent again. */
  send(batch: PositionInput[], stats: { sent: number; accepted: number; rejected: number; failedRequests: number }, log?: (line: string) => void): Promise<PositionInput[]>
  onOrder(handler: (order: SimOrder) => void): void
  close(): Promise<void>
}

const MAX_BATCH = 5000

/** The public HTTP ingest route, and dispatch orders over socket.io as the `device` account. */
export function httpTransport(target: string, token: string): Transport {
  let orders: ReturnType<typeof io> | null = null
  return {
    async send(batch, stats, log) {
      const failed: PositionInput[] = []
      for (let i = 0; i < batch.length; i += MAX_BATCH) {
        const chunk = batch.slice(i, i + MAX_BATCH)
        try {
          const res = await fetch(`${target}/api/vehicles/positions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ positions: chunk }),
          })
          const body = (await res.json().catch(() => ({}))) as { accepted?: number; rejected?: unknown[]; message?: string }
          if (res.status !== 202 && res.status !== 400) throw new Error(`HTTP ${res.status} ${body.message ?? ''}`)
          stats.sent += chunk.length
          stats.accepted += body.accepted ?? 0
          stats.rejected += body.rejected?.length ?? (res.status === 400 ? chunk.length : 0)
          if (res.status === 400) log?.(`rejected batch: ${body.message}`)
        } catch (err) {
          stats.failedRequests++
          if (stats.failedRequests % 20 === 1) log?.(`send failed, will resend: ${(err as Error).message}`)
          failed.push(...chunk)
        }
      }
      return failed
    },
    onOrder(handler) {
      orders = io(target, { auth: { token }, transports: ['websocket'] })
      orders.on('dispatch', (d: { vehicleId: number; state: string; lon: number; lat: number; plate: string; collectionPointName: string }) => {
        if (d.state === 'sent') handler({ vehicleId: d.vehicleId, target: [d.lon, d.lat], label: `${d.plate} 前往 ${d.collectionPointName}` })
      })
    },
    async close() {
      orders?.close()
    },
  }
}

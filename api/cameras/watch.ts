import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/types.ts'
import { markSilentCamerasOffline } from './repository.ts'

export interface CameraSettings {
  /** no heartbeat for this long: offline, with an alert (CAMERA_OFFLINE_MINUTES) */
  offlineMinutes: number
  /** how often each API process looks */
  checkEveryMs: number
  /** origins besides this server's that walls may play streams from (CAMERA_STREAM_ORIGINS) */
  streamOrigins: string[]
}
export const DEFAULT_CAMERA_SETTINGS: CameraSettings = { offlineMinutes: 5, checkEveryMs: 60_000, streamOrigins: [] }

export interface CameraWatch {
  /** one look now (or at `now`): the cameras turned offline */
  check(now?: Date): Promise<number[]>
  close(): void
}

/** The offline check on every API process, every minute; a look still going when the next is due is not doubled. */
export function startCameraWatch(db: Db, log: FastifyBaseLogger, s: CameraSettings): CameraWatch {
  const check = (now = new Date()) => markSilentCamerasOffline(db, now, s.offlineMinutes)
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    check()
      .then((ids) => ids.length && log.warn({ cameras: ids }, 'cameras went offline'))
      .catch((err) => log.error({ err }, 'camera offline check failed'))
      .finally(() => (running = false))
  }, s.checkEveryMs)
  timer.unref()
  return { check, close: () => clearInterval(timer) }
}

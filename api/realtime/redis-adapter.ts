import { createAdapter } from '@socket.io/redis-adapter'
import { createClient } from 'redis'
import type { FastifyBaseLogger } from 'fastify'
import type { Server } from 'socket.io'

/**
 * With REDIS_URL, socket.io's Redis adapter joins the rooms of every API process: a broadcast
 * made by one process (a logout ending a token's sockets, later a work-order push made from a
 * request) reaches the sockets of all. Data pushes that follow a database commit (positions,
 * alerts, dispatch orders, data changes) keep travelling on PostgreSQL NOTIFY, which is sent
 * only on commit; the adapter would deliver them before the write is durable.
 */
export async function useRedisAdapter(io: Server, url: string, log: FastifyBaseLogger): Promise<() => Promise<void>> {
  const pub = createClient({ url })
  const sub = pub.duplicate()
  // an unhandled 'error' event would end the process; the client reconnects by itself
  for (const [name, client] of [['pub', pub], ['sub', sub]] as const) {
    client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis connection error'))
  }
  await Promise.all([pub.connect(), sub.connect()])
  io.adapter(createAdapter(pub, sub, { key: 'shuzhi' }))
  log.info('socket.io rooms shared through Redis')
  return async () => {
    await Promise.allSettled([pub.quit(), sub.quit()])
  }
}

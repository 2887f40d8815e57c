import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFrom } from 'pg-copy-streams'
import pg from 'pg'
import type { Db, QueryOptions, QueryResult, Transaction } from './types.ts'
import { OID, parseDate, parseInt8, parseNumeric } from './type-parsers.ts'

// Per-pool type parsers, so setting them does not change pg's process-wide defaults.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.INT8) return parseInt8
    if (oid === OID.NUMERIC) return parseNumeric
    if (oid === OID.DATE) return parseDate
    return pg.types.getTypeParser(oid, format)
  },
} as unknown as pg.CustomTypesConfig

export interface PostgresOptions {
  connectionString: string
  max?: number
  /** Statement timeout in ms: a runaway tile or report query must not hold a connection forever. */
  statementTimeoutMs?: number
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A new backend loads its catalog caches on its first queries: a town's league tables over a
    // year took 260-290 ms on fresh connections against ~40 ms on warm ones (county fixtures).
    // So connections stay open between a wall's refreshes (every 30-60 s) instead of pg's default
    // 10 s idle close, and are recycled hourly so no backend grows for months.
    idleTimeoutMillis: 300_000,
    maxLifetimeSeconds: 3600,
    // idle connections do not keep a finished script alive for those five minutes
    allowExitOnIdle: true,
    types,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    application_name: 'shuzhi-grid',
  })
  // An idle client dropped by the server must not crash the process.
  pool.on('error', () => {})
  await pool.query('SELECT 1')
  return new PostgresDb(pool, options.connectionString)
}

class PostgresDb implements Db {
  readonly engine = 'postgres' as const
  private listener: pg.Client | null = null
  private readonly handlers = new Map<string, Set<(payload: string) => void>>()

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
  ) {}

  async query<T>(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<QueryResult<T>> {
    const r = await this.pool.query({ text: sql, values: params as unknown[], name: options.prepare })
    return { rows: r.rows as T[] }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql)
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn({
        async query<R>(sql: string, params: unknown[] = []) {
          const r = await client.query(sql, params as unknown[])
          return { rows: r.rows as R[] }
        },
        async exec(sql: string) {
          await client.query(sql)
        },
        async copyCsv(sql: string, csv: string) {
          await pipeline(Readable.from([csv]), client.query(copyFrom(sql)))
        },
      })
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }

  // LISTEN needs one dedicated session, not a pooled one that is handed back. If that session
  // is lost (server restart, a dropped connection, pg_terminate_backend), it is opened again
  // and every channel LISTENed anew, so live pushes resume by themselves.
  private connecting: Promise<pg.Client> | null = null
  private closed = false

  private async listenerClient(): Promise<pg.Client> {
    if (this.listener) return this.listener
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString })
      await client.connect()
      client.on('notification', (msg) => {
        for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '')
      })
      const lost = () => {
        if (this.listener !== client) return
        this.listener = null
        client.end().catch(() => {})
        if (!this.closed) this.reconnect(1000)
      }
      client.on('error', lost)
      client.on('end', lost)
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      this.listener = client
      return client
    })().finally(() => (this.connecting = null))
    return this.connecting
  }

  private reconnect(delayMs: number): void {
    const timer = setTimeout(() => {
      this.listenerClient().catch(() => this.reconnect(Math.min(delayMs * 2, 10_000)))
    }, delayMs)
    timer.unref()
  }

  async listen(channel: string, onPayload: (payload: string) => void) {
    let set = this.handlers.get(channel)
    const isNew = !set
    if (!set) {
      set = new Set()
      this.handlers.set(channel, set)
    }
    set.add(onPayload)
    const client = await this.listenerClient()
    if (isNew) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    return async () => {
      set.delete(onPayload)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    const listener = this.listener
    this.listener = null
    await listener?.end().catch(() => {})
    await this.pool.end()
  }
}

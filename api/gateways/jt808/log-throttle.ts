import type { FastifyBaseLogger } from 'fastify'
import { type Rate, TokenBucket } from './token-bucket.ts'

export interface LogLimits {
  /** lines one connection may cause */
  perConnection: Rate
  /** lines all connections together may cause */
  overall: Rate
  /** how often a line counts what was suppressed overall, when anything was */
  summaryEveryMs: number
}

type Level = 'debug' | 'info' | 'warn' | 'error'
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity }

/**
 * The gateway's log, rate-limited: what strangers send decides how many lines there are, so
 * a connection that sends garbage (or thousands that do) must not flood the log. Lines over
 * a budget are counted, and the counts are logged: on the connection's next line and when it
 * closes, and overall every summaryEveryMs.
 */
export class GatewayLog {
  private readonly overall: TokenBucket
  private suppressed = 0
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly log: FastifyBaseLogger,
    readonly limits: LogLimits,
  ) {
    this.overall = new TokenBucket(limits.overall)
    this.timer = setInterval(() => this.summary(), limits.summaryEveryMs)
    this.timer.unref()
  }

  /** The log of one connection. */
  connection(): ConnectionLog {
    return new ConnectionLog(this, new TokenBucket(this.limits.perConnection))
  }

  enabled(level: Level): boolean {
    return LEVELS[level] >= (LEVELS[this.log.level] ?? LEVELS.info)
  }

  /** One line through the overall budget; false when suppressed. */
  emit(level: Level, obj: object, msg: string): boolean {
    if (!this.overall.take()) {
      this.suppressed++
      return false
    }
    this.log[level](obj, msg)
    return true
  }

  countSuppressed(): void {
    this.suppressed++
  }

  summary(): void {
    if (!this.suppressed) return
    const n = this.suppressed
    this.suppressed = 0
    this.log.warn({ suppressed: n }, `jt808: ${n} log lines suppressed (too many from connections)`)
  }

  close(): void {
    clearInterval(this.timer)
    this.summary()
  }
}

/** A connection's log lines: its own budget first, then the overall one. */
export class ConnectionLog {
  /** lines of this connection not written since its last written line */
  private suppressed = 0

  constructor(
    private readonly gateway: GatewayLog,
    private readonly budget: TokenBucket,
  ) {}

  debug(obj: object, msg: string): void {
    this.line('debug', obj, msg)
  }

  info(obj: object, msg: string): void {
    this.line('info', obj, msg)
  }

  warn(obj: object, msg: string): void {
    this.line('warn', obj, msg)
  }

  error(obj: object, msg: string): void {
    this.line('error', obj, msg)
  }

  /** The connection's last line (its closing), past its own budget: it says what was held back. */
  last(level: Level, obj: object, msg: string): void {
    this.write(level, obj, msg)
  }

  private line(level: Level, obj: object, msg: string): void {
    // a level that is off costs nothing from either budget
    if (!this.gateway.enabled(level)) return
    if (!this.budget.take()) {
      this.suppressed++
      this.gateway.countSuppressed()
      return
    }
    this.write(level, obj, msg)
  }

  private write(level: Level, obj: object, msg: string): void {
    if (!this.gateway.enabled(level)) return
    const held = this.suppressed
    if (this.gateway.emit(level, held ? { ...obj, suppressedBefore: held } : obj, msg)) this.suppressed = 0
    else this.suppressed++
  }
}

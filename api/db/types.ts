export type Engine = 'pglite' | 'postgres'

export interface QueryResult<T> {
  rows: T[]
}

/** What repository functions need: parameterised queries, nothing engine-specific. */
export interface QueryOptions {
  /** Name for a server-side prepared statement (PostgreSQL): parsed and planned once per connection. */
  prepare?: string
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>
}

export interface Transaction extends Queryable {
  exec(sql: string): Promise<void>
  /** `COPY table (columns) FROM STDIN WITH (FORMAT csv)` with these CSV lines: bulk loads (fixtures) */
  copyCsv(sql: string, csv: string): Promise<void>
}

/** One interface over the embedded engine (PGlite + PostGIS) and a real PostgreSQL/PostGIS server. */
export interface Db extends Queryable {
  readonly engine: Engine
  /** Runs a multi-statement script (migrations); no parameters. */
  exec(sql: string): Promise<void>
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** LISTEN on a channel; returns the function that stops listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

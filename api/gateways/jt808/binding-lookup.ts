import type { TerminalBinding } from '../../terminals/repository.ts'

export type FindBindings = (phones: string[]) => Promise<Map<string, TerminalBinding>>

interface Waiting {
  resolve: (b: TerminalBinding | null) => void
  reject: (err: unknown) => void
}

/**
 * When the platform restarts, every terminal of a city reconnects within a minute: tens of
 * thousands of sign-ins, each a lookup of its binding. One query per sign-in would hold the
 * pool for all of them; lookups made within `windowMs` of each other go as one query instead,
 * as fixes do (ingest-batcher.ts).
 */
export class BindingLookup {
  private waiting = new Map<string, Waiting[]>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly find: FindBindings,
    private readonly windowMs = 5,
    private readonly maxPhones = 1000,
  ) {}

  get(phone: string): Promise<TerminalBinding | null> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(phone)
      if (list) list.push({ resolve, reject })
      else this.waiting.set(phone, [{ resolve, reject }])
      if (this.waiting.size >= this.maxPhones) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs)
    })
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = this.waiting
    this.waiting = new Map()
    this.find([...batch.keys()]).then(
      (found) => {
        for (const [phone, list] of batch) for (const w of list) w.resolve(found.get(phone) ?? null)
      },
      (err) => {
        for (const list of batch.values()) for (const w of list) w.reject(err)
      },
    )
  }
}

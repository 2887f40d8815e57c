import { createHash } from 'node:crypto'

export interface CachedTile {
  body: Buffer
  etag: string
}

export function etagOf(body: Buffer): string {
  return '"' + createHash('sha1').update(body).digest('base64url').slice(0, 22) + '"'
}

/** A bounded LRU (Map keeps insertion order) with per-layer invalidation. */
export class TileCache {
  private readonly entries = new Map<string, CachedTile>()

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size
  }

  get(key: string): CachedTile | undefined {
    const hit = this.entries.get(key)
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
    }
    return hit
  }

  set(key: string, tile: CachedTile): void {
    if (this.maxEntries <= 0) return
    this.entries.delete(key)
    this.entries.set(key, tile)
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }

  invalidateLayer(layer: string): void {
    const prefix = layer + '/'
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key)
  }
}

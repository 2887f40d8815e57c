import type { WallWorkOrder } from '../../../../geo/work-orders.ts'

export interface FeedItem {
  key: string
  kind: 'new' | 'overdue' | 'closed' | 'moved'
  order: WallWorkOrder
  at: number
  /** from the scope's list (its newest orders), not from a push */
  seed?: boolean
}

/** how many of the scope's newest orders fill the feed besides what was pushed */
export const FEED_SEEDS = 12

/**
 * The feed after the scope's list was read: what was pushed while the wall watched and still
 * belongs to the scope, then the scope's newest orders. The seeds come from this list every
 * time, never from an earlier scope's: a town's feed after a village (every village order is in
 * the town too) would otherwise keep listing that village's orders under the town's breadcrumb.
 */
export function seededFeed(feed: FeedItem[], list: WallWorkOrder[], inScope: (o: WallWorkOrder) => boolean, max: number): FeedItem[] {
  const pushed = feed.filter((f) => !f.seed && inScope(f.order))
  const shown = new Set(pushed.map((f) => f.order.id))
  const seeds = list
    .filter((o) => !shown.has(o.id))
    .slice(0, FEED_SEEDS)
    .map((o): FeedItem => ({ key: `${o.id}-seed`, kind: o.state === 'closed' ? 'closed' : o.overdue ? 'overdue' : 'new', order: o, at: Date.parse(o.stateSince), seed: true }))
  return [...pushed, ...seeds].slice(0, max)
}

/** On a scope change, before its list arrives: only the pushes that belong to the new scope stay. */
export const feedForScope = (feed: FeedItem[], inScope: (o: WallWorkOrder) => boolean): FeedItem[] => feed.filter((f) => !f.seed && inScope(f.order))

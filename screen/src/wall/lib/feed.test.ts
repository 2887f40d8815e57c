import { describe, expect, it } from 'vitest'
import type { WallWorkOrder } from '../../../../geo/work-orders.ts'
import { feedForScope, seededFeed, type FeedItem } from './feed.ts'

const order = (id: number, villageId: number): WallWorkOrder =>
  ({ id, villageId, assigneeVillageId: null, gridId: villageId * 100, state: 'asked', overdue: false, stateSince: new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString() }) as WallWorkOrder

// the town's newest orders are village 1's and 2's; village 3's are older
const town = [order(30, 1), order(29, 2), order(28, 1), order(27, 2), order(5, 3), order(4, 3)]
const village3 = [order(5, 3), order(4, 3)]
const inTown = () => true
const inVillage3 = (o: WallWorkOrder) => o.villageId === 3
const ids = (feed: FeedItem[]) => feed.map((f) => f.order.id)

describe('the wall\'s 事件工单 feed follows the scope', () => {
  it('going down to a village and back up to the town lists the town\'s newest orders, not the village\'s', () => {
    let feed = seededFeed([], town, inTown, 40)
    expect(ids(feed)).toEqual([30, 29, 28, 27, 5, 4])
    // drill down to village 3
    feed = seededFeed(feedForScope(feed, inVillage3), village3, inVillage3, 40)
    expect(ids(feed)).toEqual([5, 4])
    // back up (Escape, 返回上级, the breadcrumb, a tour step): before the town's list arrives, and after
    expect(ids(feedForScope(feed, inTown))).toEqual([])
    feed = seededFeed(feedForScope(feed, inTown), town, inTown, 40)
    expect(ids(feed)).toEqual([30, 29, 28, 27, 5, 4])
  })

  it('keeps what was pushed in the scope first, once, and the seeds after it', () => {
    const pushed: FeedItem = { key: '5-dispatched', kind: 'moved', order: { ...order(5, 3), state: 'dispatched' }, at: Date.now() }
    const feed = seededFeed([pushed, ...seededFeed([], village3, inVillage3, 40)], town, inTown, 40)
    expect(ids(feed)).toEqual([5, 30, 29, 28, 27, 4])
    expect(feed[0].kind).toBe('moved')
    // a push from another village leaves a village's feed when the wall goes there
    expect(ids(feedForScope(feed, (o) => o.villageId === 1))).toEqual([])
  })
})

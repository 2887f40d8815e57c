// One step of the demo township's life, through the API as the demo accounts: what it reports,
// visits and moves along the loop goes by the same routes, checks and triggers as real work, so
// every figure on the wall moves by the paths it moves by in a real township.
import type { Rng } from '../../../geo/random.ts'
import type { WorkOrder } from '../../../geo/work-orders.ts'
import { type LifeApi, LifeApiError } from './client.ts'
import type { LifeCounts } from './rates.ts'

interface Grid { id: number; villageId: number }
interface Household { id: number; lon: number; lat: number }

/** What the township knows between steps: its grids, their households, the residents' tracking codes. */
export interface LifeWorld {
  grids: Grid[]
  households: Map<number, Household[]>
  /** the tracking codes of the residents' reports, until they are rated */
  trackingCodes: string[]
}

/** What a step did: the ids it made or moved, and what it could not do (logged, never fatal). */
export interface LifeDone {
  residentReports: string[]
  gridReports: number[]
  disputes: number[]
  visits: number[]
  dispatched: number[]
  handled: number[]
  reviewed: number[]
  replied: number[]
  rated: number[]
  /** the tracking codes a resident rated on the public page */
  ratedByResidents: string[]
  failures: string[]
}

// what residents and grid workers report, by category (work_order_categories)
const REPORTS: Record<string, string[]> = {
  road: ['路面塌陷，有积水', '路灯不亮已有三天', '村道边护栏损坏'],
  garbage: ['垃圾桶已满，无人清运', '河边有人倾倒建筑垃圾', '收集点周边有散落垃圾'],
  fireHazard: ['楼道内堆放杂物，有电动车充电', '电线老化裸露', '空地有焚烧秸秆'],
  publicOrder: ['夜间有人聚集喧哗', '路口车辆乱停放堵塞通行'],
  welfare: ['独居老人反映取暖困难', '残疾人补贴到账情况咨询', '低保户申请材料咨询'],
  environment: ['沟渠发黑有异味', '养殖场污水外流'],
  other: ['村民咨询医保缴费办法', '宅前屋后需要清理'],
}
const DISPUTES = ['邻里因宅基地边界发生争执', '相邻两户因排水沟堵塞起纠纷', '土地流转租金支付纠纷', '家庭赡养老人问题产生矛盾', '因饲养家禽扰邻引发争吵']
const VISIT_NOTES = ['入户走访，家中情况正常', '了解家庭成员近况，核对台账', '宣传医保缴费与防诈骗知识', '关心老人身体状况，无特殊诉求']
const HANDLE_NOTES = ['已到现场处理完毕', '已协调相关人员解决', '已联系责任单位整改到位']

const gw = (gridId: number) => `gw-${gridId}`

export async function lifeWorld(api: LifeApi): Promise<LifeWorld> {
  const grids = await api.call<{ features: { properties: { id: number; villageId: number } }[] }>('dispatcher', 'GET', '/api/grids')
  return { grids: grids.features.map((f) => ({ id: f.properties.id, villageId: f.properties.villageId })), households: new Map(), trackingCodes: [] }
}

async function householdsOf(api: LifeApi, world: LifeWorld, gridId: number): Promise<Household[]> {
  let known = world.households.get(gridId)
  if (!known) {
    const fc = await api.call<{ features: { id: number; geometry: { coordinates: [number, number] } }[] }>(gw(gridId), 'GET', `/api/households?grid=${gridId}`)
    known = fc.features.map((f) => ({ id: f.id, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] }))
    world.households.set(gridId, known)
  }
  return known
}

/** a grid with households its grid worker can reach, and one of them */
async function somewhere(api: LifeApi, world: LifeWorld, rng: Rng): Promise<{ grid: Grid; household: Household }> {
  let last: unknown = new Error('no grid with households placed on the map')
  for (let tries = 0; tries < 20; tries++) {
    const grid = rng.pick(world.grids)
    try {
      const households = await householdsOf(api, world, grid.id)
      if (households.length) return { grid, household: rng.pick(households) }
    } catch (err) {
      // a grid made on the desk has no demo grid worker: another grid, and not this one again
      last = err
      if (err instanceof LifeApiError && (err.status === 401 || err.status === 403)) world.grids.splice(world.grids.indexOf(grid), 1)
    }
  }
  throw last
}

const orders = (api: LifeApi, query: string) => api.call<WorkOrder[]>('dispatcher', 'GET', `/api/work-orders?${query}&limit=50`)

/**
 * One step: first the loop moves (each order at most one step, last steps first, so an order
 * takes several ticks from report to rating, as it takes hours), then new reports and visits.
 */
export async function lifeStep(api: LifeApi, world: LifeWorld, counts: LifeCounts, rng: Rng): Promise<LifeDone> {
  const done: LifeDone = { residentReports: [], gridReports: [], disputes: [], visits: [], dispatched: [], handled: [], reviewed: [], replied: [], rated: [], ratedByResidents: [], failures: [] }
  const moved = new Set<number>()
  const attempt = async (what: string, n: number, one: () => Promise<void>) => {
    for (let i = 0; i < n; i++) {
      try {
        await one()
      } catch (err) {
        done.failures.push(`${what}: ${(err as Error).message}`)
      }
    }
  }
  // the oldest of what waits first, as people work their inbox (the list is newest first)
  const oldest = async (query: string, fit: (o: WorkOrder) => boolean = () => true) =>
    (await orders(api, query)).filter((o) => !moved.has(o.id) && fit(o)).at(-1)
  const act = async (username: string, o: WorkOrder, body: Record<string, unknown>, into: number[]) => {
    moved.add(o.id)
    await api.call(username, 'POST', `/api/work-orders/${o.id}/actions`, body)
    into.push(o.id)
  }

  await attempt('rating', counts.ratings, async () => {
    // a resident rates on the public page by her tracking code, once the reply has come (a few
    // looked at a time: the public lookups are limited per address)
    for (const code of world.trackingCodes.slice(0, 5)) {
      const status = await api.call<{ state: string; canRate: boolean }>(null, 'GET', `/api/public/reports/${code}`)
      // looked at again after the others
      world.trackingCodes.push(...world.trackingCodes.splice(world.trackingCodes.indexOf(code), 1))
      if (status.state === 'closed') world.trackingCodes.pop()
      if (!status.canRate) continue
      await api.call(null, 'POST', `/api/public/reports/${code}/rating`, { satisfaction: rng.weighted([[5, 6], [4, 3], [3, 1]]) })
      world.trackingCodes.pop()
      done.ratedByResidents.push(code)
      return
    }
    // the reporter rates her own order; the center records a hotline caller's rating (代评)
    const o = await oldest('state=replied', (x) => x.source === 'hotline' || (x.source !== 'resident' && /^(gw-\d+|dispatcher|leader|admin|cadre-\d+)$/.test(x.reporter)))
    if (!o) return
    await act(o.source === 'hotline' ? 'dispatcher' : o.reporter, o, { action: 'rate', satisfaction: rng.weighted([[5, 6], [4, 3], [3, 1]]) }, done.rated)
  })
  await attempt('reply', counts.replies, async () => {
    const o = await oldest('tab=toReply')
    if (o) await act('dispatcher', o, { action: 'reply', note: '已办结，感谢您的反映' }, done.replied)
  })
  await attempt('review', counts.reviews, async () => {
    const o = await oldest('tab=toReview')
    if (o) await act('dispatcher', o, { action: 'review', approve: true }, done.reviewed)
  })
  await attempt('handle', counts.handles, async () => {
    const o = await oldest('tab=toHandle', (x) => x.assigneeVillageId !== null || x.assigneeDepartmentId !== null)
    if (!o) return
    const who = o.assigneeVillageId !== null ? `cadre-${o.assigneeVillageId}` : `dept-${o.assigneeDepartmentId}`
    await act(who, o, { action: 'handle', note: rng.pick(HANDLE_NOTES) }, done.handled)
  })
  await attempt('dispatch', counts.dispatches, async () => {
    const o = await oldest('tab=toDispatch')
    if (o) await act('dispatcher', o, { action: 'dispatch', villageId: o.villageId }, done.dispatched)
  })

  await attempt('resident report', counts.residentReports, async () => {
    const { household } = await somewhere(api, world, rng)
    const category = rng.pick(Object.keys(REPORTS))
    const r = await api.call<{ trackingCode: string }>(null, 'POST', '/api/public/reports', {
      category, description: rng.pick(REPORTS[category]), lon: household.lon, lat: household.lat,
    })
    world.trackingCodes.push(r.trackingCode)
    done.residentReports.push(r.trackingCode)
  })
  await attempt('grid report', counts.gridReports, async () => {
    const { grid, household } = await somewhere(api, world, rng)
    const category = rng.pick(Object.keys(REPORTS))
    const o = await api.call<WorkOrder>(gw(grid.id), 'POST', '/api/work-orders', { category, description: rng.pick(REPORTS[category]), lon: household.lon, lat: household.lat })
    done.gridReports.push(o.id)
  })
  await attempt('dispute', counts.disputes, async () => {
    // a 矛盾纠纷 order: the dispute it opens is registered (受理) and mediated from there
    const { grid, household } = await somewhere(api, world, rng)
    const o = await api.call<WorkOrder>(gw(grid.id), 'POST', '/api/work-orders', { category: 'dispute', description: rng.pick(DISPUTES), lon: household.lon, lat: household.lat })
    done.disputes.push(o.id)
  })
  await attempt('visit', counts.visits, async () => {
    const { grid, household } = await somewhere(api, world, rng)
    const v = await api.call<{ id: number }>(gw(grid.id), 'POST', '/api/household-visits', { householdId: household.id, note: rng.pick(VISIT_NOTES) })
    done.visits.push(v.id)
  })
  return done
}

import type { Queryable } from '../db/types.ts'

export type StepState = 'todo' | 'partial' | 'done'
export type StepKey = 'county' | 'villages' | 'grids' | 'households' | 'residents' | 'accounts' | 'fleet'

export interface SetupStep {
  key: StepKey
  /** the step as the desk names it */
  label: string
  state: StepState
  counts: Record<string, number>
  /** where the step is done on the desk: the address fragment after '#/' */
  view: string
  /** a township without it still goes live (one without sanitation trucks has no fleet to register) */
  optional: boolean
}

export interface SetupChecklist {
  steps: SetupStep[]
  /** no village yet: the desk opens on the checklist for an admin, the wall says 尚未导入底数 */
  empty: boolean
}

interface Counts {
  county_named: boolean
  towns: number; towns_without_villages: number
  villages: number; villages_without_grids: number; villages_without_cadre: number
  grids: number; exclusive_grids: number; grids_without_worker: number
  households: number; placed: number; unplaced: number
  residents: number; households_without_residents: number
  roles: Record<string, number> | null
  vehicles: number; collection_points: number; transfer_stations: number
}

// One statement, every count the checklist shows. Retired grids (re-imported away, merged) are
// history, not the present; disabled accounts cover nothing.
const COUNTS = `
  SELECT EXISTS (SELECT 1 FROM county WHERE name <> '') AS county_named,
         (SELECT count(*) FROM towns)::int AS towns,
         (SELECT count(*) FROM towns t WHERE NOT EXISTS (SELECT 1 FROM villages v WHERE v.town_id = t.id))::int AS towns_without_villages,
         (SELECT count(*) FROM villages)::int AS villages,
         (SELECT count(*) FROM villages v WHERE NOT EXISTS (SELECT 1 FROM grids g WHERE g.village_id = v.id AND g.retired_at IS NULL))::int AS villages_without_grids,
         (SELECT count(*) FROM villages v WHERE NOT EXISTS (
            SELECT 1 FROM users u WHERE u.village_id = v.id AND u.role = 'villageCadre' AND NOT u.disabled))::int AS villages_without_cadre,
         (SELECT count(*) FROM grids WHERE retired_at IS NULL)::int AS grids,
         (SELECT count(*) FROM grids WHERE retired_at IS NULL AND kind = 'exclusive')::int AS exclusive_grids,
         (SELECT count(*) FROM grids g WHERE g.retired_at IS NULL AND NOT EXISTS (
            SELECT 1 FROM users u WHERE u.grid_id = g.id AND u.role = 'gridWorker' AND NOT u.disabled))::int AS grids_without_worker,
         (SELECT count(*) FROM households)::int AS households,
         (SELECT count(*) FROM households WHERE geom IS NOT NULL)::int AS placed,
         (SELECT count(*) FROM households WHERE geom IS NULL)::int AS unplaced,
         (SELECT count(*) FROM residents WHERE deregistered IS NULL)::int AS residents,
         (SELECT count(*) FROM households h WHERE NOT EXISTS (
            SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.deregistered IS NULL))::int AS households_without_residents,
         (SELECT json_object_agg(role, n) FROM (SELECT role, count(*)::int AS n FROM users WHERE NOT disabled GROUP BY role) x) AS roles,
         (SELECT count(*) FROM vehicles WHERE retired_at IS NULL)::int AS vehicles,
         (SELECT count(*) FROM collection_points WHERE retired_at IS NULL)::int AS collection_points,
         (SELECT count(*) FROM transfer_stations WHERE retired_at IS NULL)::int AS transfer_stations`

/** a step with nothing in it is to do; with something but a gap left, partial; with no gap, done */
const stateOf = (has: boolean, gaps: number): StepState => (!has ? 'todo' : gaps > 0 ? 'partial' : 'done')

/**
 * 底数导入: what a township going live has put in, step by step, in the order the steps depend
 * on each other (villages need their town, grids their villages, households a grid or a village,
 * residents a household, cadres and grid workers their village or grid).
 */
export async function setupChecklist(db: Queryable): Promise<SetupChecklist> {
  const c = (await db.query<Counts>(COUNTS)).rows[0]
  const roles = c.roles ?? {}
  const role = (r: string) => roles[r] ?? 0
  const people = Object.entries(roles).reduce((s, [r, n]) => s + (r === 'admin' ? 0 : n), 0)
  const countyNamed = c.county_named ? 1 : 0
  return {
    empty: c.villages === 0,
    steps: [
      {
        key: 'county', label: '县镇名称', view: 'setup', optional: false,
        state: countyNamed && c.towns ? 'done' : countyNamed || c.towns ? 'partial' : 'todo',
        counts: { countyNamed, towns: c.towns },
      },
      {
        key: 'villages', label: '村界', view: 'boundaries/village', optional: false,
        state: stateOf(c.villages > 0, c.towns_without_villages),
        counts: { villages: c.villages, townsWithoutVillages: c.towns_without_villages },
      },
      {
        key: 'grids', label: '网格', view: 'boundaries/grid', optional: false,
        state: stateOf(c.grids > 0, c.villages_without_grids),
        counts: { grids: c.grids, exclusiveGrids: c.exclusive_grids, villagesWithoutGrids: c.villages_without_grids },
      },
      {
        // the import first; once households are in, what waits is placing them (待落图)
        key: 'households', label: '户', optional: false, view: c.households > 0 && c.unplaced > 0 ? 'households/unplaced' : 'households/households',
        state: stateOf(c.households > 0, c.unplaced),
        counts: { households: c.households, placed: c.placed, unplaced: c.unplaced },
      },
      {
        key: 'residents', label: '人口', view: 'households/residents', optional: false,
        state: stateOf(c.residents > 0, c.households_without_residents),
        counts: { residents: c.residents, householdsWithoutResidents: c.households_without_residents },
      },
      {
        key: 'accounts', label: '账号', view: 'users', optional: false,
        // done when there are villages and grids, and every village has its cadre and every grid its worker
        state: stateOf(people > 0, (c.villages === 0 || c.grids === 0 ? 1 : 0) + c.villages_without_cadre + c.grids_without_worker),
        counts: {
          admin: role('admin'), leader: role('leader'), dispatcher: role('dispatcher'), display: role('display'), villageCadre: role('villageCadre'),
          gridWorker: role('gridWorker'), department: role('department'), device: role('device'),
          villagesWithoutCadre: c.villages_without_cadre, gridsWithoutWorker: c.grids_without_worker,
        },
      },
      {
        // optional: the trucks the wall follows and the points they are sent to; done with both
        key: 'fleet', label: '车辆与收集点', view: 'facilities', optional: true,
        state: stateOf(c.vehicles + c.collection_points > 0, (c.vehicles ? 0 : 1) + (c.collection_points ? 0 : 1)),
        counts: { vehicles: c.vehicles, collectionPoints: c.collection_points, transferStations: c.transfer_stations },
      },
    ],
  }
}

import type { FastifyRequest } from 'fastify'
import { HttpError } from '../http/errors.ts'
import type { AuthUser, Role } from '../auth/roles.ts'
import { currentUser } from '../auth/guard.ts'

// What each role may do, in one table. Routes, socket handlers, tiles, photos, exports and
// search ask this table by name instead of listing roles themselves, so a role's rights are
// read and changed in one place (the role × resource test reads it the same way). Where a
// right is limited to the caller's village or grid, the scope rules in ./scope.ts apply on top.

const READERS: readonly Role[] = ['admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display']
const TOWN_READERS: readonly Role[] = ['admin', 'leader', 'dispatcher', 'display']
const CARE_ROLES: readonly Role[] = ['admin', 'leader', 'villageCadre', 'gridWorker']
const CENTER: readonly Role[] = ['admin', 'dispatcher']
const STAFF: readonly Role[] = ['admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher']
/** the people who work orders: staff, and the county departments orders go up to */
const ORDER_WORKERS: readonly Role[] = [...STAFF, 'department']
/** the map of the township (outlines, names, roads), for everyone who reads anything */
const MAP_READERS: readonly Role[] = [...READERS, 'department']

export const PERMISSIONS = {
  'geo.read': { roles: MAP_READERS, does: 'read the map' },
  'stats.read': { roles: READERS, does: 'read the screen figures' },
  /** exact care-group, key-group and ledger counts at grid and village scope; a wall gets them coarsened (./wall-view.ts) */
  'stats.smallCounts': { roles: STAFF, does: 'see small counts of sensitive groups' },
  /**
   * staff and residents' free text (orders' descriptions, addresses and notes, dispatch notes)
   * and the exact place of an order in a sensitive category: not for a wall (./wall-view.ts);
   * a truck's terminal shows its dispatch note
   */
  'freeText.read': { roles: [...ORDER_WORKERS, 'device'], does: "read staff free text and sensitive orders' places" },
  /** key-group counts by category (the display and the dispatcher see only the total) */
  'stats.keyGroupDetail': { roles: CARE_ROLES, does: 'see key-group figures by category' },
  'search': { roles: READERS, does: 'search' },
  /** households and their members in scope, as the view in ./resident-view.ts allows */
  'people.read': { roles: READERS, does: 'read households' },
  /** a resident's masked record (ID, phone, data items); the display role gets a card without them */
  'people.details': { roles: STAFF, does: "read residents' records" },
  /** care-group (特殊人群) tags: for the people whose work is caring for them */
  'people.careGroups': { roles: CARE_ROLES, does: 'see care-group tags' },
  /**
   * 户册: her own grid's households by house number and head of household's full name — a grid
   * worker is the person whose job is to know them (issue 29); ID numbers and phones stay masked
   * everywhere, and no other role (a cadre, a wall) gets names this way
   */
  'people.roster': { roles: ['gridWorker'], does: "read her grid's households by house number and head of household" },
  /** the full record, with a reason, audited */
  'people.unmask': { roles: CARE_ROLES, does: 'unmask personal data' },
  /** 人口双实: register, correct and deregister residents, create, split and merge households */
  'people.write': { roles: ['admin', 'villageCadre', 'gridWorker'], does: 'change population records' },
  /** who changed what in a resident's record (values masked) */
  'people.history': { roles: ['admin', 'villageCadre', 'gridWorker'], does: "read residents' history" },
  /** photos taken inside homes on visits */
  'visits.photos': { roles: CARE_ROLES, does: 'see visit photos' },
  'visits.write': { roles: ['gridWorker', 'villageCadre'], does: 'record household visits' },
  'audit.read': { roles: ['admin'], does: 'read the audit trail' },
  'tiles.read': { roles: MAP_READERS, does: 'read map tiles' },
  /** household tiles cover the whole town; scoped roles read their grid as GeoJSON */
  'tiles.households': { roles: TOWN_READERS, does: 'read town-wide household tiles' },
  'tiles.stats': { roles: ['admin'], does: 'read tile counters' },
  'photos.upload': { roles: ORDER_WORKERS, does: 'upload photos' },
  'photos.read': { roles: [...READERS, 'department'], does: 'see photos' },
  'workOrders.read': { roles: [...READERS, 'department'], does: 'read work orders' },
  /** the league tables (擂台赛): villages, grid workers, departments */
  'workOrders.rankings': { roles: READERS, does: 'read the rankings' },
  /** lists as spreadsheets (导出), each for the roles that read the list, never a wall; audited */
  'workOrders.export': { roles: ORDER_WORKERS, does: 'export work orders' },
  'workOrders.rankingsExport': { roles: STAFF, does: 'export the rankings' },
  /** a hotline or resident caller's name and phone, masked; unmasked on an audited call-back (回访) */
  'workOrders.callerAccount': { roles: ['admin', 'leader', 'dispatcher'], does: "see callers' accounts" },
  'workOrders.report': { roles: STAFF, does: 'report events' },
  /** orders on behalf of a source other than a grid worker (hotline, a vehicle alert) */
  'workOrders.fileForOthers': { roles: CENTER, does: 'file orders for other sources' },
  'workOrders.act': { roles: ORDER_WORKERS, does: 'act on work orders' },
  'workOrders.import': { roles: CENTER, does: 'import hotline orders' },
  'workOrders.configure': { roles: ['admin'], does: 'change work-order categories' },
  /** 常用语: the reply templates the handlers and the center insert (they read them with workOrders.act) */
  'workOrders.templates': { roles: ['admin'], does: 'keep the reply templates (常用语)' },
  'vehicles.ingest': { roles: ['device', 'dispatcher', 'admin'], does: 'send vehicle positions' },
  'vehicles.read': { roles: READERS, does: 'read vehicles' },
  'vehicles.follow': { roles: READERS, does: 'follow vehicles live' },
  /** dispatch orders pushed to the trucks' own connections */
  'vehicles.receiveDispatch': { roles: ['device'], does: 'receive dispatch orders' },
  /** tracks, stops and dispatch lists cover the whole fleet */
  'vehicles.history': { roles: TOWN_READERS, does: 'read vehicle history' },
  'vehicles.export': { roles: TOWN_READERS, does: 'export vehicle reports' },
  'vehicles.alerts': { roles: ['admin', 'leader', 'dispatcher', 'display', 'villageCadre'], does: 'read vehicle alerts' },
  'vehicles.alertsExport': { roles: ['admin', 'leader', 'dispatcher', 'villageCadre'], does: 'export vehicle alerts' },
  'vehicles.dispatch': { roles: CENTER, does: 'dispatch vehicles and handle alerts' },
  'vehicles.driverNames': { roles: ['admin', 'leader', 'dispatcher'], does: "see drivers' names" },
  /** drivers' phones: for the people who keep the fleet and call its drivers; masked for the others */
  'vehicles.driverPhones': { roles: CENTER, does: "see drivers' phones" },
  /**
   * 车辆与设施: register, edit and retire trucks, collection points and transfer stations, and
   * import them. The command center runs the fleet (it dispatches, handles alerts): a town's
   * dispatcher keeps its town's trucks and points, the admin and the county's the county's
   */
  'fleet.manage': { roles: CENTER, does: 'keep the fleet register' },
  /** 拍照: a truck's camera takes a photo now */
  'vehicles.snapshot': { roles: CENTER, does: "take photos with trucks' cameras" },
  /** 加密跟踪: a truck reports often for a while */
  'vehicles.track': { roles: CENTER, does: 'track vehicles closely' },
  /** cameras (监控) as managed things: added, moved, edited and deleted on the desk's map */
  'cameras.manage': { roles: ['admin'], does: 'manage cameras' },
  /** every camera with its stream address and last heartbeat, and the offline alerts to acknowledge */
  'cameras.monitor': { roles: CENTER, does: "watch cameras' state and their offline alerts" },
  /** an intranet video gateway (a device account) says a camera is alive */
  'cameras.heartbeat': { roles: ['device'], does: 'report camera heartbeats' },
  /**
   * a camera's stream address, one camera at a time, to play it: the wall and the command
   * center's people (a wall shows what the cameras see; lists of addresses stay with the center)
   */
  'cameras.watch': { roles: TOWN_READERS, does: "play cameras' streams" },
  'terminals.view': { roles: CENTER, does: 'read terminals' },
  /** report intervals, heartbeat, overspeed limit on the terminals themselves */
  'terminals.parameters': { roles: CENTER, does: 'change terminal parameters' },
  'terminals.manage': { roles: ['admin'], does: 'manage terminals' },
  'users.manage': { roles: ['admin'], does: 'manage accounts' },
  /** going live (底数导入): the setup checklist, the county's and towns' names, accounts in bulk */
  'setup.manage': { roles: ['admin'], does: 'set the system up' },
  /** the OpenAPI description of every route (/api/docs/json): a map for whoever attacks the API */
  'docs.read': { roles: ['admin'], does: 'read the API description' },
  /** 轮播: the wall runs the tours an admin defines; walls report their health every minute */
  'walls.tours': { roles: READERS, does: 'read tours' },
  'walls.report': { roles: READERS, does: 'report a wall\'s health' },
  'walls.manage': { roles: ['admin'], does: 'manage tours and see the walls' },
  /** 网格划分: split, merge, reshape and draw grids on the map, name them, give each its worker */
  'grids.edit': { roles: ['admin'], does: 'edit the grid map' },
  /** the key-group and care-group ledgers (台账) with their follow-up duty, masked */
  'ledgers.read': { roles: CARE_ROLES, does: 'read the ledgers' },
  /** a ledger as a spreadsheet with names and ID numbers: audited like an unmask */
  'ledgers.export': { roles: CARE_ROLES, does: 'export the ledgers' },
  'ledgers.configure': { roles: ['admin'], does: 'set follow-up periods' },
  /**
   * 列管 / 撤管 in scope, with a reason, audited: the people who follow the ledgers up (a grid
   * worker in her grid, a cadre in her village) and the admin; leaders read, they do not keep
   */
  'ledgers.tag': { roles: ['admin', 'villageCadre', 'gridWorker'], does: 'put people on ledgers and take them off' },
  /**
   * key groups (重点人群) on top of ledgers.tag: the same roles, who already see their scope's
   * key-group people in the ledgers (masked) because following them up is their duty; a masked
   * record still carries no key group, and a history row of one says only that it changed
   */
  'ledgers.tagKey': { roles: ['admin', 'villageCadre', 'gridWorker'], does: 'keep key-group ledgers' },
  /** 三务公开: a village cadre drafts a notice, a leader approves it for publication */
  'notices.draft': { roles: ['admin', 'villageCadre'], does: 'draft notices' },
  'notices.approve': { roles: ['admin', 'leader'], does: 'approve notices' },
  /**
   * 矛盾纠纷排查化解: staff read and register disputes in their scope (a grid worker her grid's,
   * on the phone); mediation and closing are the village's (cadre), the town's (leader) and the
   * admin's, a grid worker's at 微调解 only (api/disputes/rules.ts); never a wall or a department
   */
  'disputes.read': { roles: STAFF, does: 'read disputes' },
  'disputes.record': { roles: STAFF, does: 'register disputes' },
  'disputes.mediate': { roles: CARE_ROLES, does: 'mediate and close disputes' },
  /** the parties' names and phones, with a reason, audited */
  'disputes.unmask': { roles: CARE_ROLES, does: "unmask disputes' parties" },
  /** 党建: 28日活动日 and 三会一课 attendance per village and month */
  'party.record': { roles: ['admin', 'villageCadre'], does: 'record party activities' },
  /** 星级评定: the town reviews each village's party secretary once a year (its villages only, for a town's leader) */
  'stars.review': { roles: ['admin', 'leader'], does: 'review village secretaries' },
  /** village boundaries and grids from files (Shapefile, GeoJSON, KML), and the grid map editor */
  'imports.boundaries': { roles: ['admin'], does: 'import boundaries' },
  /** the village and grid map as files for the county's GIS */
  'exports.boundaries': { roles: ['admin', 'leader'], does: 'export boundaries' },
  /** 公安's household and 户籍 spreadsheets: a village's cadre for her village, admin anywhere */
  'imports.population': { roles: ['admin', 'villageCadre'], does: 'import households and residents' },
  /** a county department's data for its own items (admin for any department) */
  'imports.departmentData': { roles: ['admin', 'department'], does: "import departments' data" },
  /**
   * 民生资金 (welfare funds): 民政局's figures. A department account is admitted only if it is
   * 民政局's (api/welfare/access.ts); a cadre reads her village's, leaders their scope's
   */
  'welfare.read': { roles: ['admin', 'leader', 'villageCadre', 'department'], does: 'read welfare funds' },
  'welfare.correct': { roles: ['admin', 'department'], does: 'correct welfare funds' },
  /** 三务公开: a leader publishes a village's month of payments to residents */
  'welfare.publish': { roles: ['admin', 'leader'], does: 'publish welfare funds' },
  'imports.welfareFunds': { roles: ['admin', 'department'], does: 'import welfare funds' },
} as const satisfies Record<string, { roles: readonly Role[]; does: string }>

export type Permission = keyof typeof PERMISSIONS

export function can(user: Pick<AuthUser, 'role'> | null | undefined, permission: Permission): boolean {
  return !!user && (PERMISSIONS[permission].roles as readonly Role[]).includes(user.role)
}

/** The signed-in caller if their role has the permission; 401 without a user, 403 otherwise. */
export function requirePermission(req: FastifyRequest, permission: Permission): AuthUser {
  const user = currentUser(req)
  if (!can(user, permission)) throw new HttpError(403, `role ${user.role} may not ${PERMISSIONS[permission].does}`)
  return user
}

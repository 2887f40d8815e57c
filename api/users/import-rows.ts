import type { Queryable } from '../db/types.ts'
import type { Role } from '../auth/roles.ts'
import type { Table } from '../imports/table-reader.ts'

/** The sheet's columns; 账号, 姓名 and 角色 are required, the other two may be left out. */
export const COLUMNS = ['账号', '姓名', '角色', '村或网格编码', '手机'] as const
export type Column = (typeof COLUMNS)[number] | '(file)'

export interface RowError {
  /** the file's line (header = line 1) */
  row: number
  column: Column
  reason: string
}

/** A row that makes an account: who, in which role, reaching how far. */
export interface AccountRow {
  row: number
  username: string
  displayName: string
  role: Role
  villageId: number | null
  gridId: number | null
  departmentId: number | null
  townId: number | null
  phone: string
  /** the account's reach as the desk says it: 第3村, 第3村 第2网格, 公安局, 店子镇, 全县 */
  scope: string
}

/**
 * 角色 as the desk labels the roles, and their English names. Vehicle terminals (device) are not
 * people: they are made one at a time on 账号管理, never in bulk.
 */
export const ROLE_BY_NAME: Readonly<Record<string, Role>> = {
  系统管理员: 'admin', 镇领导: 'leader', 村干部: 'villageCadre', 网格员: 'gridWorker', 指挥中心调度员: 'dispatcher', 大屏显示: 'display', 县直部门: 'department',
  admin: 'admin', leader: 'leader', villageCadre: 'villageCadre', gridWorker: 'gridWorker', dispatcher: 'dispatcher', display: 'display', department: 'department',
}
const TOWN_ROLES: readonly Role[] = ['leader', 'dispatcher', 'display']
const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/
const MOBILE = /^1[3-9][0-9]{9}$/

interface Lookups {
  villages: Map<string, { id: number; name: string }>
  grids: Map<string, { id: number; name: string; village: string; worker: string | null }>
  towns: Map<string, { id: number; name: string }>
  departments: Map<string, { id: number; name: string }>
  taken: Set<string>
}

async function lookups(db: Queryable, usernames: string[]): Promise<Lookups> {
  const [v, g, t, d, u] = await Promise.all([
    db.query<{ id: number; code: string; name: string }>('SELECT id, code, name FROM villages'),
    // a grid has one worker: an enabled account already bound to it is named, so the file cannot add a second
    db.query<{ id: number; code: string; name: string; village: string; worker: string | null }>(
      `SELECT g.id, g.code, g.name, v.name AS village,
              (SELECT min(u.username) FROM users u WHERE u.grid_id = g.id AND u.role = 'gridWorker' AND NOT u.disabled) AS worker
         FROM grids g JOIN villages v ON v.id = g.village_id WHERE g.retired_at IS NULL`),
    db.query<{ id: number; code: string; name: string }>('SELECT id, code, name FROM towns'),
    db.query<{ id: number; name: string }>('SELECT id, name FROM departments'),
    db.query<{ username: string }>('SELECT username FROM users WHERE username = ANY($1::text[])', [usernames]),
  ])
  const towns = new Map<string, { id: number; name: string }>()
  for (const x of t.rows) towns.set(x.code, x).set(x.name, x)
  return {
    villages: new Map(v.rows.map((x) => [x.code, x])),
    grids: new Map(g.rows.map((x) => [x.code, x])),
    towns,
    departments: new Map(d.rows.map((x) => [x.name, x])),
    taken: new Set(u.rows.map((x) => x.username)),
  }
}

/**
 * Every row of a 账号,姓名,角色,村或网格编码,手机 sheet checked against the file itself and the
 * database, all problems at once, each named by line and column. What 村或网格编码 holds depends
 * on the role: a village's code for 村干部, a grid's code for 网格员, a town's code or name (or
 * nothing: the county) for 镇领导, 指挥中心调度员 and 大屏显示, the department's name for
 * 县直部门, nothing for 系统管理员. An existing username is a bad row: an import never changes an
 * account (nor resets its password); that is done one account at a time on 账号管理.
 */
export async function checkAccountRows(db: Queryable, table: Table): Promise<{ accounts: AccountRow[]; errors: RowError[] }> {
  const errors: RowError[] = []
  const head = table.header.map((h) => h.trim())
  const at = Object.fromEntries(COLUMNS.map((c) => [c, head.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>
  const unknown = head.filter((h) => h && !(COLUMNS as readonly string[]).includes(h))
  if (at.账号 < 0 || at.姓名 < 0 || at.角色 < 0 || unknown.length) {
    const found = head.join(',') || 'nothing'
    errors.push({ row: 1, column: '(file)', reason: `the header must be ${COLUMNS.join(',')} (村或网格编码 and 手机 may be left out); found ${found}` })
    return { accounts: [], errors }
  }
  if (!table.rows.length) errors.push({ row: 1, column: '(file)', reason: 'the file has no rows under its header' })
  const cell = (cells: string[], c: (typeof COLUMNS)[number]) => (at[c] < 0 ? '' : (cells[at[c]] ?? '').trim())
  const l = await lookups(db, table.rows.map((r) => cell(r, '账号')))
  const usernameAt = new Map<string, number>()
  const gridAt = new Map<number, number>()
  const accounts: AccountRow[] = []
  for (let i = 0; i < table.rows.length; i++) {
    const row = i + 2
    const cells = table.rows[i]
    const fail = (column: Column, reason: string) => errors.push({ row, column, reason })
    const before = errors.length
    const username = cell(cells, '账号')
    const displayName = cell(cells, '姓名')
    const roleName = cell(cells, '角色')
    const place = cell(cells, '村或网格编码')
    const phone = cell(cells, '手机')

    if (!USERNAME.test(username)) fail('账号', `"${username}" must be 2 to 64 letters, digits, _ . or -`)
    else if (usernameAt.has(username)) fail('账号', `${username} is also on line ${usernameAt.get(username)}`)
    else if (l.taken.has(username)) fail('账号', `${username} already exists (an import never changes an existing account; change it on 账号管理)`)
    if (USERNAME.test(username) && !usernameAt.has(username)) usernameAt.set(username, row)
    if (!displayName || displayName.length > 50) fail('姓名', displayName ? 'must be at most 50 characters' : 'is required')
    if (phone && !MOBILE.test(phone)) fail('手机', `"${phone}" is not an 11-digit mobile number`)

    const role = Object.hasOwn(ROLE_BY_NAME, roleName) ? ROLE_BY_NAME[roleName] : undefined
    const scope = { villageId: null as number | null, gridId: null as number | null, departmentId: null as number | null, townId: null as number | null, text: '' }
    if (!role) {
      fail('角色', roleName === '车载终端' || roleName === 'device'
        ? 'vehicle terminal accounts are made one at a time on 账号管理, not imported'
        : `"${roleName}" is not a role: ${Object.keys(ROLE_BY_NAME).slice(0, 7).join(', ')}`)
    } else if (role === 'villageCadre') {
      const v = l.villages.get(place)
      if (!place) fail('村或网格编码', `a 村干部 needs the code of her village`)
      else if (!v) fail('村或网格编码', `${place} is not a village's code`)
      else Object.assign(scope, { villageId: v.id, text: v.name })
    } else if (role === 'gridWorker') {
      const g = l.grids.get(place)
      if (!place) fail('村或网格编码', `a 网格员 needs the code of her grid`)
      else if (!g) fail('村或网格编码', `${place} is not a grid's code`)
      else if (g.worker) fail('村或网格编码', `grid ${place} already has its grid worker (${g.worker}); disable that account first`)
      else if (gridAt.has(g.id)) fail('村或网格编码', `grid ${place} is also given a grid worker on line ${gridAt.get(g.id)}`)
      else {
        gridAt.set(g.id, row)
        Object.assign(scope, { gridId: g.id, text: `${g.village} ${g.name}` })
      }
    } else if (role === 'department') {
      const d = l.departments.get(place)
      if (!d) fail('村或网格编码', place ? `${place} is not a county department's name` : 'a 县直部门 account needs its department\'s name')
      else Object.assign(scope, { departmentId: d.id, text: d.name })
    } else if (TOWN_ROLES.includes(role)) {
      const t = place ? l.towns.get(place) : undefined
      if (place && !t) fail('村或网格编码', `${place} is not a town's code or name (leave it empty for the county)`)
      else Object.assign(scope, { townId: t?.id ?? null, text: t?.name ?? '全县' })
    } else if (place) {
      fail('村或网格编码', 'a 系统管理员 reaches the whole county: leave it empty')
    } else scope.text = '全县'

    if (errors.length === before && role) {
      accounts.push({ row, username, displayName, role, phone, scope: scope.text, villageId: scope.villageId, gridId: scope.gridId, departmentId: scope.departmentId, townId: scope.townId })
    }
  }
  return { accounts, errors }
}

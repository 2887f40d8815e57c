import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEmptyApp, type EmptyApp } from '../test/empty-app.ts'
import { insertSmallTownship, type SmallTownship } from '../test/small-township.ts'

// 账号批量导入: a township's accounts from one sheet, with one-time passwords shown once.
const log: string[] = []
let t: EmptyApp
let town: SmallTownship
beforeAll(async () => {
  t = await openEmptyApp({ logger: { level: 'info', stream: { write: (line) => void log.push(line) } } })
  town = await insertSmallTownship(t.db, { townCode: '371326100', townName: '新镇', villages: 2, gridsPerVillage: 2 })
})
afterAll(async () => t?.close())

const HEADER = '账号,姓名,角色,村或网格编码,手机'
const csv = (...lines: string[]) => Buffer.from([HEADER, ...lines].join('\n'))
const post = (body: Buffer, dryRun: boolean, type = 'text/csv') =>
  t.as('admin', { method: 'POST', url: `/api/imports/users${dryRun ? '?dryRun=1' : ''}`, headers: { 'content-type': type, 'x-file-name': encodeURIComponent('账号.csv') }, payload: body })
const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n
const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })

// village codes 371326100001/2, grid codes 371326100001-01 … 371326100002-02 (insertSmallTownship)
const GOOD = [
  'li.cadre,李村干,村干部,371326100001,13800000001',
  'gw.zhao,赵网格,网格员,371326100001-01,13800000002',
  'gw.qian,钱网格,gridWorker,371326100001-02,',
  'town.leader,孙镇长,镇领导,371326100,',
  'county.display,县大屏,大屏显示,,',
  'town.display,镇大屏,display,新镇,',
  'police,公安报到,县直部门,公安局,',
]

describe('accounts in bulk (POST /api/imports/users)', () => {
  it('previews a good file on a dry run and writes nothing', async () => {
    const before = await count()
    const res = await post(csv(...GOOD), true)
    expect(res.statusCode, res.body).toBe(200)
    const r = res.json()
    expect(r).toMatchObject({ rows: 7, created: 0, dryRun: true, errors: [] })
    expect(r.accounts.map((a: { row: number; username: string; role: string; scope: string }) => [a.row, a.username, a.role, a.scope])).toEqual([
      [2, 'li.cadre', 'villageCadre', '第1村'], [3, 'gw.zhao', 'gridWorker', '第1村 第1网格'], [4, 'gw.qian', 'gridWorker', '第1村 第2网格'],
      [5, 'town.leader', 'leader', '新镇'], [6, 'county.display', 'display', '全县'], [7, 'town.display', 'display', '新镇'], [8, 'police', 'department', '公安局'],
    ])
    expect(r.accounts.some((a: { password?: string }) => a.password)).toBe(false)
    expect(r.sheet).toBeUndefined()
    expect(await count()).toBe(before)
    const grid = (await t.db.query<{ name: string }>('SELECT grid_worker_name AS name FROM grids WHERE id = $1', [town.grids[0][0]])).rows[0]
    expect(grid.name).toBe('')
  })

  it('names every bad row by its line and column, and writes nothing even when not a dry run', async () => {
    const before = await count()
    const res = await post(csv(
      'ok.one,好人,村干部,371326100002,', //                         2: fine
      'x1,某人,村长,371326100001,', //                               3: unknown role
      'x2,某人,村干部,999999999999,', //                              4: unknown village
      'x3,某人,网格员,371326100009-01,', //                           5: unknown grid
      'ok.one,重名,网格员,371326100002-01,', //                       6: username again in the file
      'admin,重名,镇领导,,', //                                         7: username in the database
      'x4,某人,村干部,,', //                                           8: a cadre without her village
      'x5,某人,网格员,,', //                                           9: a grid worker without her grid
      'x6,某人,系统管理员,371326100001,', //                          10: an admin reaches the county
      'x7,某人,网格员,371326100002-02,12345', //                      11: not a mobile number
      'x8,某人,镇领导,别的镇,', //                                     12: unknown town
      'x9,,村干部,371326100001,', //                                  13: no name
      'x10,某人,网格员,371326100002-02,', //                          14: a second worker for the grid of line 11
      'bad name,某人,大屏显示,,', //                                   15: not a username
      'x11,某人,车载终端,,', //                                        16: devices are not imported
      'x12,某人,constructor,,', //                                    17: not a role (not Object's either)
      'x13,某人,县直部门,城管局,', //                                  18: not a county department
    ), false)
    expect(res.statusCode, res.body).toBe(422)
    const r = res.json()
    expect(r.code).toBe('rows_rejected')
    expect(r.message).toMatch(/^\d+ rows cannot be imported: row 3/)
    const cells = r.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)
    expect(cells).toEqual([
      '3:角色', '4:村或网格编码', '5:村或网格编码', '6:账号', '7:账号', '8:村或网格编码', '9:村或网格编码', '10:村或网格编码',
      '11:手机', '12:村或网格编码', '13:姓名', '14:村或网格编码', '15:账号', '16:角色', '17:角色', '18:村或网格编码',
    ])
    const reason = (row: number) => r.errors.find((e: { row: number }) => e.row === row).reason
    expect(reason(6)).toMatch(/also on line 2/)
    expect(reason(7)).toMatch(/already exists/)
    expect(reason(14)).toMatch(/line 11/)
    expect(r.accounts).toEqual([])
    expect(await count()).toBe(before)
  })

  it('refuses a file whose header is not the sheet', async () => {
    const res = await post(Buffer.from('用户名,姓名,角色\nx,某人,村干部'), true)
    expect(res.statusCode).toBe(422)
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 1, column: '(file)' })])
    expect((await post(Buffer.from('x'), true, 'text/plain')).statusCode).toBe(415)
  })

  it('creates the accounts with one-time passwords that sign in, once, and gives the grids their workers', async () => {
    const res = await post(csv(...GOOD), false)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const r = res.json()
    expect(r).toMatchObject({ rows: 7, created: 7, dryRun: false, errors: [] })
    const passwords = new Map<string, string>(r.accounts.map((a: { username: string; password: string }) => [a.username, a.password]))
    expect(new Set(passwords.values()).size).toBe(7)
    for (const [username, password] of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9]{16}$/)
      const signedIn = await login(username, password)
      expect(signedIn.statusCode, `${username}: ${signedIn.body}`).toBe(200)
    }
    const me = (await login('gw.zhao', passwords.get('gw.zhao')!)).json().user
    expect(me).toMatchObject({ role: 'gridWorker', gridId: town.grids[0][0] })
    // hashed with a salt of their own: no two alike, none the password itself
    const hashes = (await t.db.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE username = ANY($1::text[])`, [[...passwords.keys()]])).rows
    expect(new Set(hashes.map((h) => h.password_hash)).size).toBe(7)
    expect(hashes.some((h) => [...passwords.values()].some((p) => h.password_hash.includes(p)))).toBe(false)
    // the grid's card names its worker (the wall shows it, phone masked)
    const grids = (await t.as('display', `/api/grids?village=${town.villages[0]}`)).json().features as { properties: { id: number; gridWorker: { name: string; phone: string } } }[]
    expect(grids.find((g) => g.properties.id === town.grids[0][0])!.properties.gridWorker).toEqual({ name: '赵网格', phone: '138****0002' })
    expect(grids.find((g) => g.properties.id === town.grids[0][1])!.properties.gridWorker.name).toBe('钱网格')
    // the sheet holds the same accounts and passwords
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(Buffer.from(r.sheet, 'base64') as unknown as ArrayBuffer)
    const rows = book.worksheets[0].getSheetValues().slice(2).map((v) => (v as unknown[]).slice(1))
    expect(rows).toContainEqual([3, 'gw.zhao', '赵网格', '网格员', '第1村 第1网格', passwords.get('gw.zhao')])
    expect(rows).toHaveLength(7)
    // and the import is on the audit trail, without a password
    const audit = (await t.as('admin', '/api/audit?action=importUsers')).json().entries as { reason: string }[]
    expect(audit[0].reason).toMatch(/^7 accounts from "账号.csv": li.cadre/)
    expect([...passwords.values()].some((p) => audit[0].reason.includes(p))).toBe(false)
    // a second import of the same file changes no account: every row is an existing username
    const again = await post(csv(...GOOD), false)
    expect(again.statusCode).toBe(422)
    expect(again.json().errors.every((e: { column: string; reason: string }) => e.column === '账号' || /already has its grid worker/.test(e.reason))).toBe(true)
    expect((await login('gw.zhao', passwords.get('gw.zhao')!)).statusCode).toBe(200)
    // the passwords went to the admin's answer only, never to the server's log
    const logged = log.join('')
    expect(logged.length).toBeGreaterThan(0)
    for (const p of passwords.values()) expect(logged).not.toContain(p)
  })

  it('reads XLSX and GBK CSV alike', async () => {
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('账号')
    sheet.addRow(HEADER.split(','))
    sheet.addRow(['xlsx.cadre', '周村干', '村干部', '371326100002', 13800000009])
    const xlsx = await post(Buffer.from(await book.xlsx.writeBuffer()), true, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(xlsx.statusCode, xlsx.body).toBe(200)
    expect(xlsx.json().accounts).toEqual([{ row: 2, username: 'xlsx.cadre', displayName: '周村干', role: 'villageCadre', scope: '第2村' }])
    const gbk = await post(iconv.encode([HEADER, 'gbk.cadre,吴村干,村干部,371326100002,'].join('\r\n'), 'gbk'), true)
    expect(gbk.statusCode, gbk.body).toBe(200)
    expect(gbk.json().accounts[0]).toMatchObject({ displayName: '吴村干', scope: '第2村' })
  })
})

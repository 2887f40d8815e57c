import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEmptyApp, type EmptyApp } from '../test/empty-app.ts'
import { insertHousehold, insertSmallTownship } from '../test/small-township.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import type { SetupChecklist } from './checklist.ts'

// 底数导入: the checklist moves as a township's data arrive, step by step.
let t: EmptyApp
beforeAll(async () => {
  t = await openEmptyApp()
})
afterAll(async () => t?.close())

const checklist = async () => {
  const res = await t.as('admin', '/api/setup')
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as SetupChecklist
}
const states = async () => Object.fromEntries((await checklist()).steps.map((s) => [s.key, s.state]))
const step = async (key: string) => (await checklist()).steps.find((s) => s.key === key)!

describe('the county and its towns (县镇名称)', () => {
  it('is only for the admin', async () => {
    expect((await t.as('display', '/api/setup')).statusCode).toBe(403)
    expect((await t.as('display', { method: 'PUT', url: '/api/county', payload: { code: '371326', name: '示范县' } })).statusCode).toBe(403)
    expect((await t.as('display', { method: 'POST', url: '/api/towns', payload: { code: '371326100', name: '新镇' } })).statusCode).toBe(403)
    expect((await t.app.inject('/api/setup')).statusCode).toBe(401)
  })

  it('starts with every step to do, in order, each linking to its page', async () => {
    const c = await checklist()
    expect(c.empty).toBe(true)
    expect(c.steps.map((s) => [s.key, s.label, s.view])).toEqual([
      ['county', '县镇名称', 'setup'], ['villages', '村界', 'boundaries/village'], ['grids', '网格', 'boundaries/grid'],
      ['households', '户', 'households/households'], ['residents', '人口', 'households/residents'], ['accounts', '账号', 'users'],
      ['fleet', '车辆与收集点', 'facilities'],
    ])
    // a township without sanitation trucks still goes live: only the fleet is optional
    expect(c.steps.filter((s) => s.optional).map((s) => s.key)).toEqual(['fleet'])
    // the wall's account is there already (someone other than the admin): accounts have begun
    expect(Object.fromEntries(c.steps.map((s) => [s.key, s.state]))).toEqual({
      county: 'todo', villages: 'todo', grids: 'todo', households: 'todo', residents: 'todo', accounts: 'partial', fleet: 'todo',
    })
    expect(c.steps[5].counts).toMatchObject({ admin: 1, display: 1, villageCadre: 0, gridWorker: 0, villagesWithoutCadre: 0, gridsWithoutWorker: 0 })
  })

  it('names the county, then a town; refuses bad codes, blank names and a second town of the same code or name', async () => {
    const bad = await t.as('admin', { method: 'PUT', url: '/api/county', payload: { code: '37A', name: '示范县' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/body\/code/)
    expect((await t.as('admin', { method: 'PUT', url: '/api/county', payload: { code: '371326', name: ' ' } })).statusCode).toBe(400)
    const county = await t.as('admin', { method: 'PUT', url: '/api/county', payload: { code: '371326', name: '平邑县' } })
    expect(county.statusCode, county.body).toBe(200)
    expect(county.json()).toEqual({ code: '371326', name: '平邑县' })
    expect((await step('county'))).toMatchObject({ state: 'partial', counts: { countyNamed: 1, towns: 0 } })

    const town = await t.as('admin', { method: 'POST', url: '/api/towns', payload: { code: '371326100', name: '店子镇' } })
    expect(town.statusCode, town.body).toBe(201)
    expect(town.json()).toMatchObject({ code: '371326100', name: '店子镇' })
    expect((await step('county'))).toMatchObject({ state: 'done', counts: { countyNamed: 1, towns: 1 } })
    expect((await t.as('display', '/api/towns')).json()).toMatchObject({ county: { code: '371326', name: '平邑县' }, towns: [{ name: '店子镇', bbox: null }] })

    const sameCode = await t.as('admin', { method: 'POST', url: '/api/towns', payload: { code: '371326100', name: '别的镇' } })
    expect([sameCode.statusCode, sameCode.json().code]).toEqual([409, 'town_code_taken'])
    const sameName = await t.as('admin', { method: 'POST', url: '/api/towns', payload: { code: '371326101', name: '店子镇' } })
    expect([sameName.statusCode, sameName.json().code]).toEqual([409, 'town_name_taken'])
  })

  it('renames a town and changes its code; 404 for a town that does not exist', async () => {
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM towns WHERE code = '371326100'`)).rows[0].id
    const renamed = await t.as('admin', { method: 'PATCH', url: `/api/towns/${id}`, payload: { name: '新店子镇' } })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toEqual({ id, code: '371326100', name: '新店子镇' })
    // its own name and code are not "another town's"
    expect((await t.as('admin', { method: 'PATCH', url: `/api/towns/${id}`, payload: { code: '371326100', name: '新店子镇' } })).statusCode).toBe(200)
    expect((await t.as('admin', { method: 'PATCH', url: '/api/towns/999999', payload: { name: '无' } })).statusCode).toBe(404)
    expect((await t.as('admin', { method: 'PATCH', url: `/api/towns/${id}`, payload: {} })).statusCode).toBe(400)
  })
})

describe('the steps as data arrive', () => {
  let town: Awaited<ReturnType<typeof insertSmallTownship>>
  let secondTown: number

  it('village boundaries: done when every town has its villages', async () => {
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM towns WHERE code = '371326100'`)).rows[0].id
    town = await insertSmallTownship(t.db, { townId: id, villages: 2, gridsPerVillage: 2 })
    // a village without grids yet: the grids step is partial
    await t.db.query(`DELETE FROM grids WHERE village_id = $1`, [town.villages[1]])
    secondTown = (await t.as('admin', { method: 'POST', url: '/api/towns', payload: { code: '371326101', name: '第二镇' } })).json().id
    const c = await checklist()
    expect(c.empty).toBe(false)
    expect(c.steps.find((s) => s.key === 'villages')).toMatchObject({ state: 'partial', counts: { villages: 2, townsWithoutVillages: 1 } })
    await t.db.query(`UPDATE villages SET town_id = $1 WHERE id = $2`, [secondTown, town.villages[1]])
    expect((await step('villages')).state).toBe('done')
  })

  it('grids: done when every village has grids (retired ones are history, not the present)', async () => {
    expect(await step('grids')).toMatchObject({ state: 'partial', counts: { grids: 2, villagesWithoutGrids: 1 } })
    const g = (await t.db.query<{ id: number }>(
      `INSERT INTO grids (village_id, code, name, kind, geom, label_point) SELECT id, 'X-01', '全村', 'base', geom, label_point FROM villages WHERE id = $1 RETURNING id`,
      [town.villages[1]])).rows[0].id
    town.grids[1] = [g]
    expect(await step('grids')).toMatchObject({ state: 'done', counts: { grids: 3, villagesWithoutGrids: 0 } })
    await t.db.query(`UPDATE grids SET retired_at = now() WHERE id = $1`, [g])
    expect(await step('grids')).toMatchObject({ state: 'partial', counts: { grids: 2, villagesWithoutGrids: 1 } })
    await t.db.query(`UPDATE grids SET retired_at = NULL WHERE id = $1`, [g])
  })

  it('households: partial while some wait to be placed (待落图)', async () => {
    expect((await states()).households).toBe('todo')
    await insertHousehold(t.db, { code: 'H-1', gridId: town.grids[0][0] })
    const waiting = await insertHousehold(t.db, { code: 'H-2', villageId: town.villages[1] })
    expect(await step('households')).toMatchObject({ state: 'partial', view: 'households/unplaced', counts: { households: 2, placed: 1, unplaced: 1 } })
    await t.db.query(`UPDATE households SET grid_id = $2, geom = (SELECT label_point FROM grids WHERE id = $2) WHERE id = $1`, [waiting, town.grids[1][0]])
    expect(await step('households')).toMatchObject({ state: 'done', counts: { households: 2, placed: 2, unplaced: 0 } })
  })

  it('residents: done when every household has its registered people', async () => {
    expect((await states()).residents).toBe('todo')
    const [h1, h2] = (await t.db.query<{ id: number }>(`SELECT id FROM households ORDER BY id`)).rows.map((r) => r.id)
    const person = (household: number, id: string) => t.db.query(
      `INSERT INTO residents (household_id, name, gender, birth_date, id_number, relation) VALUES ($1, '张三', '男', '1980-01-01', $2, '户主')`, [household, id])
    await person(h1, '371326198001010011')
    expect(await step('residents')).toMatchObject({ state: 'partial', counts: { residents: 1, householdsWithoutResidents: 1 } })
    await person(h2, '371326198001010038')
    expect((await states()).residents).toBe('done')
    // a household whose only person died has nobody registered
    await t.db.query(`UPDATE residents SET deregistered = 'death', deregistered_on = '2026-01-01' WHERE id_number = '371326198001010038'`)
    expect(await step('residents')).toMatchObject({ state: 'partial', counts: { residents: 1, householdsWithoutResidents: 1 } })
  })

  it('accounts: done when every village has a cadre and every grid a worker (disabled accounts cover nothing)', async () => {
    const passwordHash = await hashPassword('irrelevant-pw')
    await insertUsers(t.db, town.villages.map((v, i) => ({ username: `cadre-${i}`, displayName: '村干部', role: 'villageCadre' as const, villageId: v, passwordHash })))
    expect(await step('accounts')).toMatchObject({ state: 'partial', counts: { villageCadre: 2, villagesWithoutCadre: 0, gridsWithoutWorker: 3 } })
    await insertUsers(t.db, town.grids.flat().map((g, i) => ({ username: `gw-${i}`, displayName: '网格员', role: 'gridWorker' as const, gridId: g, passwordHash })))
    expect(await step('accounts')).toMatchObject({ state: 'done', counts: { gridWorker: 3, gridsWithoutWorker: 0 } })
    await t.db.query(`UPDATE users SET disabled = true WHERE username = 'gw-0'`)
    expect(await step('accounts')).toMatchObject({ state: 'partial', counts: { gridWorker: 2, gridsWithoutWorker: 1 } })
  })

  it('trucks and collection points (optional): partial with one of them, done with both, registered on the desk', async () => {
    expect(await step('fleet')).toMatchObject({ state: 'todo', optional: true, counts: { vehicles: 0, collectionPoints: 0, transferStations: 0 } })
    const truck = await t.as('admin', { method: 'POST', url: '/api/fleet/vehicles', payload: { plate: '鲁Q·A1234', kind: 'garbageTruck', name: '1号车', driverName: '王师傅' } })
    expect(truck.statusCode, truck.body).toBe(201)
    expect(await step('fleet')).toMatchObject({ state: 'partial', counts: { vehicles: 1, collectionPoints: 0 } })
    const at = (await t.db.query<{ lon: number; lat: number }>(
      'SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM grids WHERE id = $1', [town.grids[0][0]])).rows[0]
    const point = await t.as('admin', { method: 'POST', url: '/api/fleet/collection-points', payload: { name: '村口收集点', ...at, bins: 4 } })
    expect(point.statusCode, point.body).toBe(201)
    expect(point.json()).toMatchObject({ villageId: town.villages[0], gridId: town.grids[0][0], bins: 4 })
    expect(await step('fleet')).toMatchObject({ state: 'done', counts: { vehicles: 1, collectionPoints: 1 } })
  })
})

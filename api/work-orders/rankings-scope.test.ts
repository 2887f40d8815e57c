// The league tables (擂台赛) within a town: a county of two towns, where village 2 is the second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import { hashPassword } from '../auth/password.ts'
import { insertUsers } from '../auth/repository.ts'
import { TEST_PASSWORD } from '../test/password.ts'
import type { GridWorkerRank, VillageRank } from '../../geo/work-orders.ts'

type Tables = { villages: VillageRank[]; gridWorkers: GridWorkerRank[] }
let t: TestApp
let gridsOf2: number[]
beforeAll(async () => {
  t = await openTestApp()
  await t.db.exec(`INSERT INTO towns (id, code, name, geom) SELECT 2, '371326102', '邻镇', geom FROM villages WHERE id = 2;
                   UPDATE villages SET town_id = 2 WHERE id = 2`)
  await insertUsers(t.db, [{ username: 'town2-leader', displayName: '邻镇领导', role: 'leader', townId: 2, passwordHash: await hashPassword(TEST_PASSWORD) }])
  gridsOf2 = (await t.db.query<{ id: number }>('SELECT id FROM grids WHERE village_id = 2 ORDER BY id')).rows.map((g) => g.id)
})
afterAll(async () => t?.close())

const tables = async (as: string, query = '') => {
  const res = await t.as(as, `/api/work-orders/rankings${query}`)
  expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
  return res.json() as Tables
}

describe('league tables by town', () => {
  it('rank a town account among its own town, a county account among the county or the town it asks for', async () => {
    const county = await tables('leader')
    expect(county.villages).toHaveLength(17)
    const town2 = await tables('town2-leader')
    expect(town2.villages.map((v) => v.villageId)).toEqual([2])
    expect(town2.gridWorkers.map((g) => g.gridId).sort((a, b) => a - b)).toEqual(gridsOf2)
    // the same village, the same figures whichever table it stands in (its score moves with the field: reports are relative)
    const inCounty = county.villages.find((v) => v.villageId === 2)!
    expect(town2.villages[0]).toEqual(inCounty)
    expect(await tables('leader', '?scope=town:2')).toEqual(town2)
    const town1 = await tables('leader', '?scope=town:1')
    expect(town1.villages).toHaveLength(16)
    expect(town1.villages.some((v) => v.villageId === 2)).toBe(false)
  })

  it('rank a village cadre among the villages of her town, and refuse what is outside the caller', async () => {
    expect((await tables('cadre-2')).villages.map((v) => v.villageId)).toEqual([2])
    expect((await tables('cadre-1')).villages).toHaveLength(16)
    expect((await t.as('town2-leader', '/api/work-orders/rankings?scope=county')).statusCode).toBe(403)
    expect((await t.as('town2-leader', '/api/work-orders/rankings?scope=town:1')).statusCode).toBe(403)
    expect((await t.as('cadre-1', '/api/work-orders/rankings?scope=county')).statusCode).toBe(403)
    const village = await t.as('leader', '/api/work-orders/rankings?scope=village:1')
    expect(village.statusCode).toBe(400)
    expect(village.json().message).toContain('scope')
  })
})

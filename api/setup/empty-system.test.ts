import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEmptyApp, type EmptyApp } from '../test/empty-app.ts'
import { insertSmallTownship } from '../test/small-township.ts'

// A township's system on its first day: the schema, an admin and a wall account, nothing else.
// Every request the wall, the desk, the phone and the residents' page make as they open must be
// answered (200 with empty data, or a clear 404 for a thing that does not exist), never a 5xx.
let t: EmptyApp
beforeAll(async () => {
  t = await openEmptyApp()
})
afterAll(async () => t?.close())

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

/** what the screens ask for as they open (wall, desk, phone, residents' page), as [url, status] */
const SCREEN_GETS = (town: boolean): [string, number][] => [
  ['/api/auth/me', 200],
  ['/api/towns', 200],
  ['/api/towns/outlines', 200],
  // no town yet is a thing that does not exist; a town named before its villages has no outline
  ['/api/town', town ? 200 : 404],
  ['/api/villages', 200],
  ['/api/grids', 200],
  ['/api/roads', 200],
  ['/api/facilities', 200],
  ['/api/stats?scope=town', town ? 200 : 404],
  ['/api/stats?scope=county', 200],
  ['/api/work-orders/kpis?scope=town&days=30', town ? 200 : 404],
  ['/api/work-orders/kpis?scope=county&days=30', 200],
  ['/api/work-orders/heat?scope=town&days=30', town ? 200 : 404],
  ['/api/work-orders/rankings?days=30', 200],
  ['/api/work-orders/rankings?days=30&scope=county', 200],
  ['/api/work-orders?limit=50', 200],
  ['/api/work-orders/inbox', 200],
  ['/api/work-orders/categories', 200],
  ['/api/vehicles', 200],
  ['/api/vehicles/alerts?view=open&limit=100', 200],
  ['/api/vehicles/dispatches?active=1', 200],
  [`/api/vehicles/report.csv?date=${today()}`, 200],
  ['/api/tours', 200],
  ['/api/departments', 200],
  ['/api/data-items', 200],
  ['/api/search?q=%E6%9D%91', 200],
  ['/api/tiles/villages/10/845/405.mvt', 200],
  ['/api/tiles/grids/10/845/405.mvt', 200],
  ['/api/tiles/households/14/13530/6480.mvt', 200],
]
const ADMIN_GETS: [string, number][] = [
  ['/api/users', 200],
  ['/api/audit', 200],
  ['/api/terminals', 200],
  ['/api/displays', 200],
  ['/api/ledgers?limit=50', 200],
  ['/api/ledgers/periods', 200],
  ['/api/notices/drafts', 200],
  ['/api/imports/department-data?limit=50', 200],
]

async function wrongAnswers(list: [string, number][], who: string): Promise<string[]> {
  const wrong: string[] = []
  for (const [url, status] of list) {
    const res = await t.as(who, url)
    if (res.statusCode !== status) wrong.push(`${url} as ${who}: ${res.statusCode}, expected ${status} (${res.body.slice(0, 120)})`)
  }
  return wrong
}

/** every GET route the API describes, its path parameters filled with an id that exists nowhere */
async function everyGetRoute(): Promise<string[]> {
  const doc = (await t.as('admin', '/api/docs/json')).json() as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(doc.paths).filter(([, ops]) => 'get' in ops).map(([path]) => path.replace(/\{[^}]+\}/g, '1'))
}

describe('a system started empty', () => {
  it("answers the screens' start-up requests as admin and as the wall", async () => {
    const wrong = [...(await wrongAnswers([...SCREEN_GETS(false), ...ADMIN_GETS], 'admin')), ...(await wrongAnswers(SCREEN_GETS(false), 'display'))]
    expect(wrong).toEqual([])
    expect((await t.as('admin', '/api/towns')).json()).toEqual({ county: null, towns: [] })
    expect((await t.as('display', '/api/villages')).json()).toEqual({ type: 'FeatureCollection', features: [] })
    // the residents' page says the service is not open yet, by this code
    const basemap = await t.app.inject('/api/public/basemap')
    expect([basemap.statusCode, basemap.json().code]).toEqual([404, 'basemap_not_ready'])
    expect((await t.app.inject('/api/public/categories')).statusCode).toBe(200)
    expect((await t.app.inject('/api/health')).statusCode).toBe(200)
  })

  it('answers every GET route without a server error', async () => {
    const routes = await everyGetRoute()
    expect(routes.length).toBeGreaterThan(40)
    const failed: string[] = []
    for (const url of routes) {
      for (const who of ['admin', 'display']) {
        const res = await t.as(who, url)
        if (res.statusCode >= 500) failed.push(`${url} as ${who}: ${res.statusCode} ${res.body.slice(0, 120)}`)
      }
    }
    expect(failed).toEqual([])
  })

  describe('with a town named before its villages are imported (no outline yet)', () => {
    beforeAll(async () => {
      await t.db.query(`INSERT INTO towns (code, name) VALUES ('371326100', '新镇')`)
    })

    it("answers the screens' start-up requests", async () => {
      const wrong = [...(await wrongAnswers([...SCREEN_GETS(true), ...ADMIN_GETS], 'admin')), ...(await wrongAnswers(SCREEN_GETS(true), 'display'))]
      expect(wrong).toEqual([])
      const towns = (await t.as('admin', '/api/towns')).json()
      expect(towns.towns).toEqual([expect.objectContaining({ code: '371326100', name: '新镇', bbox: null, label: null, villages: 0, grids: 0 })])
      const town = (await t.as('display', '/api/town')).json()
      expect(town).toMatchObject({ type: 'Feature', geometry: null, properties: { code: '371326100', name: '新镇', bbox: null } })
      const outlines = (await t.as('display', '/api/towns/outlines')).json()
      expect(outlines.features).toEqual([])
      const basemap = await t.app.inject('/api/public/basemap')
      expect([basemap.statusCode, basemap.json().code]).toEqual([404, 'basemap_not_ready'])
    })

    it('answers every GET route without a server error', async () => {
      const failed: string[] = []
      for (const url of await everyGetRoute()) {
        for (const who of ['admin', 'display']) {
          const res = await t.as(who, url)
          if (res.statusCode >= 500) failed.push(`${url} as ${who}: ${res.statusCode} ${res.body.slice(0, 120)}`)
        }
      }
      expect(failed).toEqual([])
    })
  })

  describe('with villages and nothing else (no grid, household or order yet)', () => {
    let village = 0
    beforeAll(async () => {
      const id = (await t.db.query<{ id: number }>(`SELECT id FROM towns WHERE code = '371326100'`)).rows[0].id
      village = (await insertSmallTownship(t.db, { townId: id, villages: 2, gridsPerVillage: 0 })).villages[0]
    })

    it("answers the screens' start-up requests, the village's included", async () => {
      const list: [string, number][] = [...SCREEN_GETS(true), [`/api/stats?scope=village:${village}`, 200], [`/api/work-orders/kpis?scope=village:${village}&days=30`, 200],
        [`/api/grids?village=${village}`, 200]]
      const wrong = [...(await wrongAnswers([...list, ...ADMIN_GETS], 'admin')), ...(await wrongAnswers(list, 'display'))]
      expect(wrong).toEqual([])
      const town = (await t.as('display', '/api/town')).json()
      expect(town.geometry.type).toBe('Polygon')
      expect((await t.as('display', '/api/towns')).json().towns[0]).toMatchObject({ villages: 2, grids: 0, households: 0 })
      expect((await t.app.inject('/api/public/basemap')).statusCode).toBe(200)
    })
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'
import type { HouseholdRecord, ResidentRecord } from '../../geo/people.ts'

// Masking by purpose: what a record holds depends on who asks, never on the data's value.
let t: TestApp
let sensitiveItems: string[]
/** a household with members in care groups, one of whom has a sensitive item that is false or empty */
let household: { id: number; grid_id: number; village_id: number }
beforeAll(async () => {
  t = await openTestApp()
  sensitiveItems = (await t.db.query<{ key: string }>(`SELECT key FROM data_items WHERE sensitive AND key NOT IN ('name', 'idNumber', 'phone') ORDER BY key`)).rows.map((r) => r.key)
  household = (await t.db.query<{ id: number; grid_id: number; village_id: number }>(
    `SELECT h.id, h.grid_id, g.village_id FROM households h JOIN grids g ON g.id = h.grid_id
      WHERE EXISTS (SELECT 1 FROM residents r JOIN resident_tags c ON c.resident_id = r.id AND c.kind = 'care' WHERE r.household_id = h.id)
        AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND (r.items ->> 'subsistence') = 'false')
      ORDER BY h.id LIMIT 1`)).rows[0]
})
afterAll(async () => t?.close())

const card = async (who: string) => (await t.as(who, `/api/households/${household.id}`)).json() as HouseholdRecord

describe('what each role receives for a resident', () => {
  it('marks religion and health status sensitive, beside disability, illness and subsistence', () => {
    expect(sensitiveItems).toEqual(expect.arrayContaining(['religion', 'healthStatus', 'chronicDisease', 'disabilityLevel', 'subsistence', 'extremePoverty']))
  })

  it('gives the wall (display) a card: no ID number, phone, birth date, data items or group tags at all', async () => {
    const h = await card('display')
    expect(h.members.length).toBeGreaterThan(0)
    for (const m of h.members) {
      expect(m.view).toBe('card')
      expect(Object.keys(m).sort()).toEqual(['ageBand', 'gender', 'gridId', 'householdId', 'id', 'masked', 'name', 'partyMember', 'relation', 'status', 'view', 'villageId'])
      expect(m.name).toContain('*')
    }
    const list = (await t.as('display', `/api/households?grid=${household.grid_id}`)).json() as { features: { properties: Record<string, unknown> }[] }
    expect(list.features.every((f) => !('careGroup' in f.properties))).toBe(true)
  })

  it('masks every sensitive item whatever its value, so *** does not read as yes', async () => {
    for (const who of ['dispatcher', 'leader', `cadre-${household.village_id}`, `gw-${household.grid_id}`]) {
      const h = await card(who)
      for (const m of h.members) {
        expect(m.view, who).toBe('masked')
        for (const key of sensitiveItems) expect(m.items?.[key], `${who} ${key}`).toBe('***')
      }
    }
  })

  it('shows an age band, never the exact age or birth date, beside an ID number that cannot be rebuilt', async () => {
    const h = await card('leader')
    for (const m of h.members) {
      expect(m.age).toBeUndefined()
      expect(m.birthDate).toBeUndefined()
      expect(m.ageBand).toMatch(/^(\d+–\d+岁|80岁以上)$/)
      // first 6 and last 2: the birth date and most of the sequence are hidden
      expect(m.idNumber).toMatch(/^\d{6}\*{10}[\dX]{2}$/)
      if (m.phone) expect(m.phone).toMatch(/^\d{3}\*{4}\d{4}$/)
      expect(m.keyGroups).toBeUndefined()
    }
  })

  it('shows care groups to the people who look after them, not to the dispatcher', async () => {
    const cadre = await card(`cadre-${household.village_id}`)
    expect(cadre.members.some((m) => (m.careGroups ?? []).length > 0)).toBe(true)
    const dispatcher = await card('dispatcher')
    expect(dispatcher.members.every((m) => m.careGroups === undefined)).toBe(true)
  })

  it('gives the whole record only on an audited lookup with a reason', async () => {
    const id = (await card('leader')).members[0].id
    const full = (await t.as('leader', `/api/residents/${id}?unmask=1&reason=${encodeURIComponent('核对低保材料')}`)).json() as ResidentRecord
    expect(full).toMatchObject({ view: 'full', masked: false })
    expect(full.idNumber).toMatch(/^\d{17}[\dX]$/)
    expect(typeof full.age).toBe('number')
    expect(Array.isArray(full.keyGroups)).toBe(true)
  })

  it('finds residents by name for staff in scope, never for the wall', async () => {
    const r = (await t.db.query<{ name: string }>('SELECT name FROM residents WHERE household_id = $1 LIMIT 1', [household.id])).rows[0]
    const q = `/api/search?q=${encodeURIComponent(r.name)}`
    const staff = (await t.as(`cadre-${household.village_id}`, q)).json() as { hits: { kind: string }[] }
    expect(staff.hits.some((h) => h.kind === 'resident')).toBe(true)
    const wall = (await t.as('display', q)).json() as { hits: { kind: string }[] }
    expect(wall.hits.some((h) => h.kind === 'resident')).toBe(false)
  })
})

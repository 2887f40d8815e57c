import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestApp, type TestApp } from '../test/app.ts'

// Walks every API response the wall display can get and scans the raw JSON for anything
// that looks like an unmasked ID number, mobile phone number, or a key-group tag; household
// cards and resident records also for any ID number at all, care-group labels and sensitive
// data items (a wall must never receive disability, health, religion or subsistence status).
const ID_NUMBER = /(?<!\d)\d{17}[\dX](?!\d)/
const PHONE = /(?<![\d*])1[3-9]\d{9}(?!\d)/
let KEY_TAG: RegExp
let CARD_LEAKS: [string, RegExp][]

let t: TestApp
beforeAll(async () => {
  t = await openTestApp()
  const tags = async (kind: string) => (await t.db.query<{ tag: string }>('SELECT DISTINCT tag FROM resident_tags WHERE kind = $1', [kind])).rows.map((r) => r.tag)
  KEY_TAG = new RegExp((await tags('key')).join('|'))
  const sensitive = (await t.db.query<{ key: string }>(`SELECT key FROM data_items WHERE sensitive AND key NOT IN ('name', 'idNumber', 'phone')`)).rows.map((r) => r.key)
  CARD_LEAKS = [
    ['care-group label', new RegExp((await tags('care')).join('|'))],
    ['care or key-group field', /"(careGroups|keyGroups|careGroup)"/],
    ['sensitive data item', new RegExp(`"(${sensitive.join('|')})"`)],
    ['masked value', /\*\*\*"/],
    ['ID number field', /"idNumber"/],
    ['data items', /"items"/],
  ]
})
afterAll(async () => t?.close())

function scan(url: string, body: string): string[] {
  const found: string[] = []
  const card = /^\/api\/(households(\/|\?)|residents\/)/.test(url)
  for (const [name, re] of [['ID number', ID_NUMBER], ['phone', PHONE], ['key-group tag', KEY_TAG], ...(card ? CARD_LEAKS : [])] as const) {
    const m = re.exec(body)
    if (m) found.push(`${url}: ${name} ${m[0]}`)
  }
  return found
}

describe('display role', () => {
  it('never receives an unmasked ID number, phone or key-group tag', async () => {
    // households holding key-group and care-group members, so the scan looks where the risk is
    const keyHouseholds = await t.db.query<{ household_id: number; grid_id: number; resident_id: number; name: string }>(
      `(SELECT r.household_id, h.grid_id, r.id AS resident_id, r.name FROM resident_tags k
         JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = r.household_id
        WHERE k.kind = 'key' ORDER BY r.id LIMIT 40)
       UNION ALL
       (SELECT r.household_id, h.grid_id, r.id AS resident_id, r.name FROM resident_tags k
         JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = r.household_id
        WHERE k.kind = 'care' AND k.tag IN ('残疾人', '低保对象', '特困人员') ORDER BY r.id LIMIT 40)`,
    )
    expect(keyHouseholds.rows.length).toBeGreaterThan(10)
    const urls = ['/api/health', '/api/auth/me', '/api/town', '/api/villages', '/api/grids', '/api/roads', '/api/grids?village=3', '/api/stats?scope=town', '/api/stats?scope=village:2',
      '/api/facilities', '/api/vehicles', '/api/vehicles/alerts?view=all', '/api/vehicles/dispatches?active=0',
      `/api/vehicles/report.csv?date=${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())}`]
    for (const k of keyHouseholds.rows) {
      urls.push(`/api/search?q=${encodeURIComponent(k.name)}`, `/api/stats?scope=grid:${k.grid_id}`, `/api/households?grid=${k.grid_id}`, `/api/households/${k.household_id}`, `/api/residents/${k.resident_id}`)
    }
    const problems: string[] = []
    let scanned = 0
    for (const url of [...new Set(urls)]) {
      const res = await t.as('display', url)
      expect(res.statusCode, url).toBe(200)
      problems.push(...scan(url, res.body))
      scanned += res.body.length
    }
    // the same residents asked for unmasked are refused, not leaked
    for (const k of keyHouseholds.rows.slice(0, 5)) {
      const res = await t.as('display', `/api/residents/${k.resident_id}?unmask=1&reason=test-reason`)
      expect(res.statusCode).toBe(403)
      problems.push(...scan('unmask', res.body))
    }
    expect(problems).toEqual([])
    expect(scanned).toBeGreaterThan(100_000)
  })

  it('the scan would catch a leak (the patterns match real unmasked data)', async () => {
    const { rows } = await t.db.query<{ resident_id: number }>(`SELECT resident_id FROM resident_tags WHERE kind = 'key' LIMIT 1`)
    const res = await t.as('leader', `/api/residents/${rows[0].resident_id}?unmask=1&reason=${encodeURIComponent('扫描自检')}`)
    const hits = scan('leader', res.body)
    expect(hits.some((h) => h.includes('ID number'))).toBe(true)
    expect(hits.some((h) => h.includes('key-group tag'))).toBe(true)
    // and the card scan catches what a staff member's masked card holds
    const { rows: care } = await t.db.query<{ household_id: number }>(
      `SELECT r.household_id FROM resident_tags k JOIN residents r ON r.id = k.resident_id WHERE k.kind = 'care' LIMIT 1`)
    const url = `/api/households/${care[0].household_id}`
    const staff = scan(url, (await t.as('leader', url)).body)
    for (const name of ['care-group label', 'sensitive data item', 'masked value', 'ID number field']) expect(staff.some((h) => h.includes(name)), name).toBe(true)
  })
})

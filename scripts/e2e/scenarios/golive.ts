// Going live (上线): a system started empty for a real township (FIXTURES_DIR=none). The wall says
// 尚未导入底数 at 1920×1080; the admin signs in to the desk at 1366×768 and lands on 底数导入, names
// the county and a town there, and makes accounts in bulk on 账号管理 (dry run → import → the
// one-time passwords, downloaded as a sheet); a display account from the sheet opens its wall.
// On PostgreSQL (E2E_GOLIVE_DATABASE_URL names an empty database) villages and grids are then put
// in by SQL, as the boundary import would: the open wall comes back by itself, every panel with no
// rows says 暂无数据 instead of drawing an empty chart, and the checklist has moved.
import { readFileSync, writeFileSync } from 'node:fs'
import pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { artifactPath, signIn, startSystem, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { fleetEmptyStart } from './daily-fleet.ts'
import { describeProblems, wallLayoutProblems } from '../wall-layout.ts'
import { drawnCharts } from '../wall-probe.ts'

const ADMIN_PASSWORD = 'golive-admin-password'
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

async function api<T>(origin: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${origin}${path}`, {
    method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** two villages of two grids each, as the boundary import would leave them (PostgreSQL only: PGlite is the API's own) */
async function insertVillages(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(`
      WITH t AS (SELECT id, code FROM towns ORDER BY id LIMIT 1),
           v AS (INSERT INTO villages (town_id, code, name, geom, label_point)
                 SELECT t.id, t.code || lpad(i::text, 3, '0'), '试点' || i || '村', e, ST_PointOnSurface(e)
                   FROM t, generate_series(1, 2) i, LATERAL (SELECT ST_MakeEnvelope(117.40 + (i - 1) * 0.02, 35.10, 117.42 + (i - 1) * 0.02, 35.12, 4326) AS e) x
                 RETURNING id, code, geom)
      INSERT INTO grids (village_id, code, name, kind, geom, label_point)
      SELECT v.id, v.code || '-0' || k, '第' || k || '网格', 'base', g, ST_PointOnSurface(g)
        FROM v, generate_series(1, 2) k,
             LATERAL (SELECT ST_MakeEnvelope(ST_XMin(v.geom) + (k - 1) * 0.01, ST_YMin(v.geom), ST_XMin(v.geom) + k * 0.01, ST_YMax(v.geom), 4326) AS g) x`)
    await c.query(`UPDATE towns t SET geom = (SELECT ST_Union(geom) FROM villages WHERE town_id = t.id) WHERE EXISTS (SELECT 1 FROM villages WHERE town_id = t.id)`)
  } finally {
    await c.end()
  }
}

async function desk(browser: Browser, origin: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
  const page = await context.newPage()
  const errors = watchErrors(page)
  await signIn(page, origin, 'admin', '/desk/', ADMIN_PASSWORD)
  return { page, errors, close: () => context.close() }
}

export async function goliveScenario(browser: Browser, tally: Tally): Promise<void> {
  const url = process.env.E2E_GOLIVE_DATABASE_URL
  const system = await startSystem({ FIXTURES_DIR: 'none', ADMIN_PASSWORD, PGLITE_SEED: '0', ...(url ? { DATABASE_URL: url } : {}) })
  console.log(`empty system up on ${url ? 'PostgreSQL' : 'PGlite'} in ${(system.startupMs / 1000).toFixed(1)} s`)
  try {
    const admin = (await api<{ token: string }>(system.origin, '', 'POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).token
    const towns = await api<{ towns: unknown[] }>(system.origin, admin, 'GET', '/api/towns')
    tally.check('[golive] the empty start has no town and no demo account', towns.towns.length === 0
      && (await api<{ total: number }>(system.origin, admin, 'GET', '/api/users')).total === 1)

    // the desk: the admin lands on 底数导入, names the county and a town
    const d = await desk(browser, system.origin)
    const landed = await d.page.waitForSelector('[data-testid="desk-setup-steps"] li', { timeout: 30_000 }).then(() => true, () => false)
    tally.check('[golive] an admin signing in to an empty system lands on 底数导入', landed && d.page.url().endsWith('#/setup'), d.page.url())
    await d.page.fill('[data-testid="desk-setup-county-code"]', '371326')
    await d.page.fill('[data-testid="desk-setup-county-name"]', '平邑县')
    await d.page.click('[data-testid="desk-setup-county-save"]')
    await d.page.fill('[data-testid="desk-setup-town-code"]', '371326100')
    await d.page.fill('[data-testid="desk-setup-town-name"]', '上线镇')
    await d.page.click('[data-testid="desk-setup-town-submit"]')
    await d.page.waitForSelector('[data-testid="desk-setup-town-371326100"]', { timeout: 10_000 })
    const county = await d.page.locator('[data-testid="desk-setup-state-county"]').innerText()
    tally.check('[golive] county and town named on the page: the first step is done', county === '已完成', county)
    await d.page.screenshot({ path: artifactPath('golive-desk-setup-1366.png') })

    // accounts in bulk: a county display and the town's leader (no village is needed for them)
    const csv = artifactPath('golive-accounts.csv')
    writeFileSync(csv, '账号,姓名,角色,村或网格编码,手机\nwall-county,县指挥中心大屏,大屏显示,,\nzhen.leader,上线镇镇长,镇领导,上线镇,\n')
    await d.page.click('[data-testid="desk-setup-go-accounts"]')
    await d.page.waitForSelector('[data-testid="desk-user-import"]', { timeout: 20_000 })
    await d.page.setInputFiles('[data-testid="desk-user-import-file"]', csv)
    await d.page.waitForSelector('[data-testid="desk-user-import-accounts"]', { timeout: 20_000 })
    tally.check('[golive] the dry run previews two accounts', (await d.page.locator('[data-testid="desk-user-import-would"]').innerText()) === '2')
    await d.page.screenshot({ path: artifactPath('golive-desk-user-import-preview-1366.png') })
    await d.page.click('[data-testid="desk-user-import-submit"]')
    const row = d.page.locator('[data-testid="desk-user-import-password-wall-county"] code')
    await row.waitFor({ timeout: 20_000 })
    const password = await row.innerText()
    tally.check('[golive] a one-time password is shown once', /^[A-Za-z0-9]{16}$/.test(password), password.length ? '16 characters' : 'none')
    await d.page.screenshot({ path: artifactPath('golive-desk-user-import-passwords-1366.png') })
    const download = d.page.waitForEvent('download')
    await d.page.click('[data-testid="desk-user-import-download"]')
    const sheet = readFileSync(await (await download).path())
    tally.check('[golive] the passwords download as an XLSX sheet', sheet.subarray(0, 2).toString() === 'PK', `${sheet.length} bytes`)
    await d.page.click('[data-testid="desk-user-import-close"]')
    await d.page.waitForSelector('[data-testid="desk-user-wall-county"]', { timeout: 10_000 })
    // 29.H: no trucks yet — the optional step, and the fleet screens' empty states (scenarios/daily-fleet.ts)
    await fleetEmptyStart(d.page, (name, ok, detail) => tally.check(`[golive] ${name}`, ok, detail))
    tally.check('[golive] the desk shows no page or console error', d.errors.length === 0, d.errors.slice(0, 3).join(' | '))

    // the wall, signed in with the new display account's one-time password
    const display = (await api<{ token: string }>(system.origin, '', 'POST', '/api/auth/login', { username: 'wall-county', password })).token
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const wall = await context.newPage()
    const requests = watchRequests(wall, system.origin)
    const errors = watchErrors(wall)
    await wall.goto(`${system.origin}/#token=${display}`)
    const empty = await wall.waitForSelector('[data-testid="wall-no-data"]', { timeout: 60_000 }).then(() => true, () => false)
    const text = empty ? (await wall.locator('[data-testid="wall-no-data"]').innerText()).replace(/\s+/g, '') : ''
    tally.check('[golive] the wall says 尚未导入底数 and where an admin goes', text.includes('尚未导入底数') && text.includes('底数导入'), text.slice(0, 80))
    await wall.screenshot({ path: artifactPath('golive-wall-empty-1920.png') })
    tally.check('[golive] the empty wall shows no page or console error', errors.length === 0, errors.slice(0, 3).join(' | '))

    // the residents' page: the town has no outline yet, so no report can be placed; it says so
    const phone = await browser.newContext(PHONE)
    const r = await phone.newPage()
    const rErrors = watchErrors(r)
    await r.goto(`${system.origin}/r/`)
    const notReady = await r.waitForSelector('[data-testid="r-not-ready"]', { timeout: 30_000 }).then(() => true, () => false)
    tally.check("[golive] the residents' page says the town's data are not imported yet", notReady && (await r.locator('[data-testid="r-submit"]').count()) === 0)
    await r.screenshot({ path: artifactPath('golive-resident-not-ready-390.png') })
    // the 404 that says so is expected; nothing else
    const rUnexpected = rErrors.filter((e) => !/status of 404/.test(e))
    tally.check("[golive] the residents' page shows no other error", rUnexpected.length === 0, rUnexpected.slice(0, 3).join(' | '))

    if (url) {
      await insertVillages(url)
      // no reload: the wall learns of the villages (dataChanged) and opens as it would have
      const back = await wall.waitForSelector('body[data-map-ready="1"]', { timeout: 90_000 }).then(() => true, () => false)
      tally.check('[golive] the wall comes back by itself once villages exist', back)
      await wall.waitForTimeout(5000) // the charts wait for the map, then animate
      const title = (await wall.locator('[data-testid="title-bar"]').innerText()).replace(/\s+/g, '')
      tally.check('[golive] its title is the new township\'s, with no 店子镇', title.includes('上线镇') && !title.includes('店子镇'), title)
      const { blank } = await drawnCharts(wall)
      tally.check('[golive] every chart with rows drew', blank.length === 0, blank.join(', '))
      const none = await wall.locator('text=暂无数据').count()
      tally.check('[golive] panels without rows say 暂无数据', none > 0, `${none}`)
      const problems = await wallLayoutProblems(wall)
      tally.check('[golive] no clipped, wrapped or overlapping text on the villages-only wall', problems.length === 0, describeProblems(problems))
      await wall.screenshot({ path: artifactPath('golive-wall-villages-1920.png') })
      await d.page.goto(`${system.origin}/desk/#/setup`)
      // the page shows the checklist it read last, then the fresh one
      await d.page.waitForFunction(() => document.querySelector('[data-testid="desk-setup-state-villages"]')?.textContent === '已完成', null, { timeout: 20_000 }).catch(() => {})
      const villages = await d.page.locator('[data-testid="desk-setup-state-villages"]').innerText()
      tally.check('[golive] the checklist has moved: village boundaries done', villages === '已完成', villages)
      await d.page.screenshot({ path: artifactPath('golive-desk-setup-villages-1366.png') })

      // a grid worker whose grid has no household yet: her phone says so, and she can report
      const made = await fetch(`${system.origin}/api/imports/users`, {
        method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'text/csv' },
        body: '账号,姓名,角色,村或网格编码,手机\ngw.first,第一网格员,网格员,371326100001-01,13800000001\n',
      })
      const gwPassword = ((await made.json()) as { accounts: { password: string }[] }).accounts[0]?.password ?? ''
      tally.check('[golive] a grid worker account imported for the first grid', made.status === 200 && gwPassword.length === 16, `${made.status}`)
      const m = await phone.newPage()
      const mErrors = watchErrors(m)
      await signIn(m, system.origin, 'gw.first', '/m/', gwPassword)
      await m.locator('text=入户走访').click()
      const said = await m.waitForSelector('[data-testid="m-no-households"]', { timeout: 30_000 }).then(() => true, () => false)
      tally.check('[golive] her phone says the grid has no households yet', said)
      // her grid drawn on the map all the same
      const drawn = await m.waitForSelector('[data-testid="grid-map"] canvas[data-ready="1"]', { timeout: 60_000 }).then(() => true, () => false)
      tally.check('[golive] her phone draws her grid', drawn)
      await m.waitForTimeout(1000)
      await m.screenshot({ path: artifactPath('golive-phone-no-households-390.png') })
      tally.check('[golive] her phone shows no page or console error', mErrors.length === 0, mErrors.slice(0, 3).join(' | '))
      await r.reload()
      const form = await r.waitForSelector('[data-testid="r-submit"]', { timeout: 30_000 }).then(() => true, () => false)
      tally.check("[golive] once villages exist the residents' page offers the form", form)
    }
    await phone.close()
    tally.check('[golive] the wall shows no page or console error', errors.length === 0, errors.slice(0, 3).join(' | '))
    tally.check('[golive] zero requests outside the origin', requests.foreign.length === 0, requests.foreign.slice(0, 3).join(', '))
    await context.close()
    await d.close()
  } finally {
    await system.stop()
  }
}

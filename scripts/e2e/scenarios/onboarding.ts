// A real township goes live, from an empty start, through the screens alone (issue 27): the admin
// at 1366×768 walks the desk's 底数导入 — names the county and the town, uploads the village
// boundaries (a Shapefile written by GDAL's ogr2ogr in CGCS2000 Gauss-Kruger zone 39, GBK, no
// .cpg, as a land office hands it out) and the grids (KML, also written by GDAL), 公安's
// households and 户籍 (GBK CSV) and the accounts — then splits a grid and merges two on the map
// (网格划分). A grid worker, at 390×844 with her one-time password, places a household waiting
// for its point (待落图) at its door. The wall, opened with the new display account, shows the
// new township and nothing of the demo's 店子镇. Needs GDAL (Debian's gdal-bin, which CI installs).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import type { Browser, Page } from 'playwright-core'
import { makeIdNumber } from '../../../geo/id-number.ts'
import { artifactPath, signIn, startSystem, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

const ADMIN_PASSWORD = 'onboarding-admin-password'
const DESK = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }
type Ring = [number, number][]

// 上线镇: three villages side by side, 0.02° square, each cut into four grids
const VILLAGES = [['371399101001', '东辛庄村'], ['371399101002', '西王庄村'], ['371399101003', '南河崖村']] as const
const X0 = 117.0
const Y0 = 35.5
const S = 0.02
/** a rectangle with a vertex every 0.0025° along its sides, so neighbours share every vertex */
function rect(x0: number, y0: number, w: number, h: number): Ring {
  const pts: Ring = []
  const n = (d: number) => Math.round(d / 0.0025)
  const side = (ax: number, ay: number, bx: number, by: number, k: number) => {
    for (let i = 0; i < k; i++) pts.push([+(ax + ((bx - ax) * i) / k).toFixed(7), +(ay + ((by - ay) * i) / k).toFixed(7)])
  }
  side(x0, y0, x0 + w, y0, n(w))
  side(x0 + w, y0, x0 + w, y0 + h, n(h))
  side(x0 + w, y0 + h, x0, y0 + h, n(w))
  side(x0, y0 + h, x0, y0, n(h))
  pts.push(pts[0])
  return pts
}
const grids = VILLAGES.flatMap(([code, name], v) => [0, 1, 2, 3].map((q) => ({
  code: `${code}-0${q + 1}`, name: `第${'一二三四'[q]}网格`, village: name,
  ring: rect(X0 + v * S + (q % 2) * S / 2, Y0 + Math.floor(q / 2) * S / 2, S / 2, S / 2),
})))
const centre = (r: Ring): [number, number] => [(Math.min(...r.map((p) => p[0])) + Math.max(...r.map((p) => p[0]))) / 2, (Math.min(...r.map((p) => p[1])) + Math.max(...r.map((p) => p[1]))) / 2]

/** the files, written by GDAL from GeoJSON the test makes (nothing of the importer's code) */
function writeFiles(): { villages: string; grids: string; households: string; residents: string; accounts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-onboarding-'))
  const fc = (features: { props: Record<string, string>; ring: Ring }[]) => JSON.stringify({
    type: 'FeatureCollection', features: features.map((f) => ({ type: 'Feature', properties: f.props, geometry: { type: 'Polygon', coordinates: [f.ring] } })),
  })
  writeFileSync(join(dir, 'v.geojson'), fc(VILLAGES.map(([code, name], v) => ({ props: { XZQDM: code, XZQMC: name }, ring: rect(X0 + v * S, Y0, S, S) }))))
  writeFileSync(join(dir, 'g.geojson'), fc(grids.map((g) => ({ props: { 网格名称: g.name, 网格编码: g.code, 所属村: g.village }, ring: g.ring }))))
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', '-t_srs', 'EPSG:4527', '-lco', 'ENCODING=CP936', join(dir, 'shp'), join(dir, 'v.geojson'), '-nln', '村级调查区'])
  // land offices' files come without the .cpg; python's zipfile packs them as Windows does
  const shp = join(dir, 'shp')
  const parts = readdirSync(shp).filter((f) => !f.endsWith('.cpg'))
  execFileSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED); [z.write(sys.argv[2] + "/" + f, f) for f in sys.argv[3:]]; z.close()',
    join(dir, 'villages.zip'), shp, ...parts])
  execFileSync('ogr2ogr', ['-f', 'KML', join(dir, 'grids.kml'), join(dir, 'g.geojson'), '-dsco', 'NameField=网格名称'])
  // 公安's 标准地址: six households at points in 东辛庄村's first grid, one waiting in its second grid, one knowing only its village
  const [gx, gy] = centre(grids[0].ring)
  const homes = Array.from({ length: 6 }, (_, i) => [`37139910100${i + 1}`, `上线镇东辛庄村一组${i + 1}号`, (gx - 0.002 + i * 0.0008).toFixed(6), (gy + (i % 2) * 0.001).toFixed(6), '', ''])
  homes.push(['371399101007', '上线镇东辛庄村二组7号', '', '', grids[1].code, ''], ['371399101008', '上线镇东辛庄村三组8号', '', '', '', '东辛庄村'])
  writeFileSync(join(dir, 'households.csv'), iconv.encode(['户号,地址,经度,纬度,网格编码,村', ...homes.map((h) => h.join(','))].join('\r\n'), 'gbk'))
  const people = homes.slice(0, 7).flatMap((h, i) => [
    [makeIdNumber('371399', `19${60 + i}-03-1${i}`, 11 + i * 2), `张${'一二三四五六七'[i]}`, '男', `19${60 + i}-03-1${i}`, '户主', h[0]],
    [makeIdNumber('371399', `19${62 + i}-07-2${i}`, 12 + i * 2), `李${'一二三四五六七'[i]}`, '女', `19${62 + i}-07-2${i}`, '配偶', h[0]],
  ])
  writeFileSync(join(dir, 'residents.csv'), iconv.encode(['身份证号,姓名,性别,出生日期,与户主关系,户号', ...people.map((p) => p.join(','))].join('\r\n'), 'gbk'))
  writeFileSync(join(dir, 'accounts.csv'), ['账号,姓名,角色,村或网格编码,手机', `dxz.cadre,东辛庄村支书,村干部,${VILLAGES[0][0]},`,
    `dxz.gw2,东辛庄村二网格员,网格员,${grids[1].code},13900000002`, 'sx.wall,上线镇大屏,大屏显示,上线镇,'].join('\n'))
  return { villages: join(dir, 'villages.zip'), grids: join(dir, 'grids.kml'), households: join(dir, 'households.csv'), residents: join(dir, 'residents.csv'), accounts: join(dir, 'accounts.csv') }
}

export async function onboardingScenario(browser: Browser, tally: Tally): Promise<void> {
  let files: ReturnType<typeof writeFiles>
  try {
    files = writeFiles()
  } catch (err) {
    tally.check('[onboarding] GDAL (ogr2ogr) and python3 write the township\'s files', false, (err as Error).message.slice(0, 300))
    return
  }
  const system = await startSystem({ FIXTURES_DIR: 'none', ADMIN_PASSWORD, PGLITE_SEED: '0' })
  console.log(`empty system up in ${(system.startupMs / 1000).toFixed(1)} s`)
  const errors: string[] = []
  const foreign: string[] = []
  const open = async (context: Parameters<Browser['newContext']>[0], who: string, path: string, password: string): Promise<Page> => {
    const page = await (await browser.newContext(context)).newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    page.on('close', () => errors.push(...mine.map((e) => `${who}: ${e}`)))
    await signIn(page, system.origin, who, path, password)
    return page
  }
  const seen = (page: Page, selector: string, timeout = 20_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)
  const text = (page: Page, selector: string) => page.locator(selector).innerText().catch(() => '')
  const shoot = async (page: Page, name: string, root = 'body') => {
    await page.waitForTimeout(300)
    await page.screenshot({ path: artifactPath(`onboarding-${name}.png`) })
    const problems = await layoutProblems(page, root)
    tally.check(`[onboarding] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 5).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  /** a checklist step's state, once the page shows the checklist read after the last import (it shows the one it had until then) */
  const step = async (desk: Page, key: string, want = '已完成') => {
    await desk.goto(`${system.origin}/desk/#/setup`)
    await seen(desk, `[data-testid="desk-setup-state-${key}"]`)
    await desk.waitForFunction(([k, w]) => document.querySelector(`[data-testid="desk-setup-state-${k}"]`)?.textContent?.trim() === w, [key, want], { timeout: 10_000 }).catch(() => undefined)
    return text(desk, `[data-testid="desk-setup-state-${key}"]`)
  }
  const api = async <T>(token: string, path: string): Promise<T> => (await fetch(`${system.origin}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json() as Promise<T>

  try {
    const desk = await open(DESK, 'admin', '/desk/', ADMIN_PASSWORD)
    tally.check('[onboarding] the admin lands on 底数导入', await seen(desk, '[data-testid="desk-setup-steps"]'))
    await desk.fill('[data-testid="desk-setup-county-code"]', '371399')
    await desk.fill('[data-testid="desk-setup-county-name"]', '示例县')
    await desk.click('[data-testid="desk-setup-county-save"]')
    await desk.fill('[data-testid="desk-setup-town-code"]', '371399101')
    await desk.fill('[data-testid="desk-setup-town-name"]', '上线镇')
    await desk.click('[data-testid="desk-setup-town-submit"]')
    await seen(desk, '[data-testid="desk-setup-town-371399101"]')
    await shoot(desk, 'setup-named-1366')

    // 村界: from the checklist's link; GBK without .cpg, Gauss-Kruger with the zone in the easting
    await desk.click('[data-testid="desk-setup-go-villages"]')
    await seen(desk, '[data-testid="desk-boundaries"]')
    await desk.setInputFiles('[data-testid="desk-boundaries-file"]', files.villages)
    const vSummary = (await seen(desk, '[data-testid="desk-boundaries-summary"]', 60_000)) ? await text(desk, '[data-testid="desk-boundaries-summary"]') : ''
    tally.check('[onboarding] the village file\'s dry run: zone 39 read from the .prj, GBK detected, 四无 kept', /EPSG:4527/.test(vSummary) && /gb18030|gbk/.test(vSummary) && /符合/.test(vSummary), vSummary)
    tally.check('[onboarding] the village names come out right', /东辛庄村[\s\S]*西王庄村[\s\S]*南河崖村/.test(await text(desk, '[data-testid="desk-boundaries-items"]')))
    await shoot(desk, 'villages-preview-1366')
    await desk.click('[data-testid="desk-boundaries-submit"]')
    tally.check('[onboarding] the villages are imported', (await seen(desk, '[data-testid="desk-boundaries-summary"]:has-text("导入完成")', 60_000)))
    tally.check('[onboarding] the checklist\'s 村界 step is done', (await step(desk, 'villages')) === '已完成')

    // 网格: KML
    await desk.click('[data-testid="desk-setup-go-grids"]')
    await seen(desk, '[data-testid="desk-boundaries-tab-grid"].on')
    await desk.setInputFiles('[data-testid="desk-boundaries-file"]', files.grids)
    const gSummary = (await seen(desk, '[data-testid="desk-boundaries-summary"]', 60_000)) ? await text(desk, '[data-testid="desk-boundaries-summary"]') : ''
    tally.check('[onboarding] the grid file (KML) passes 四无', /共 12 个要素/.test(gSummary) && /符合/.test(gSummary), gSummary)
    await shoot(desk, 'grids-preview-1366')
    await desk.click('[data-testid="desk-boundaries-submit"]')
    tally.check('[onboarding] the grids are imported', await seen(desk, '[data-testid="desk-boundaries-summary"]:has-text("导入完成")', 60_000))
    tally.check('[onboarding] the checklist\'s 网格 step is done', (await step(desk, 'grids')) === '已完成')

    // 户 and 人口: 公安's lists
    for (const kind of ['households', 'residents'] as const) {
      await step(desk, kind, '待导入')
      await desk.click(`[data-testid="desk-setup-go-${kind}"]`)
      await seen(desk, `[data-testid="desk-${kind}-import"]`)
      await desk.setInputFiles(`[data-testid="desk-${kind}-file"]`, files[kind])
      const ok = await seen(desk, `[data-testid="desk-${kind}-summary"].ok`, 60_000)
      tally.check(`[onboarding] ${kind}: the dry run finds no bad row`, ok, ok ? '' : await text(desk, `[data-testid="desk-${kind}-import"]`))
      await desk.click(`[data-testid="desk-${kind}-submit"]`)
      tally.check(`[onboarding] ${kind}: imported`, await seen(desk, `[data-testid="desk-${kind}-done"]`, 60_000))
    }
    await shoot(desk, 'households-1366')
    const admin = (await (await fetch(`${system.origin}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) })).json()) as { token: string }
    const waiting = await api<{ items: { id: number; code: string }[] }>(admin.token, '/api/households?unplaced=1')
    tally.check('[onboarding] two households wait for their point (待落图)', waiting.items.length === 2, JSON.stringify(waiting.items.map((h) => h.code)))

    // 账号: in bulk, the one-time passwords read off the dialog
    await desk.goto(`${system.origin}/desk/#/setup`)
    await desk.click('[data-testid="desk-setup-go-accounts"]')
    await seen(desk, '[data-testid="desk-user-import"]')
    await desk.setInputFiles('[data-testid="desk-user-import-file"]', files.accounts)
    await seen(desk, '[data-testid="desk-user-import-accounts"]')
    await desk.click('[data-testid="desk-user-import-submit"]')
    await seen(desk, '[data-testid="desk-user-import-password-sx.wall"] code')
    const password = (who: string) => text(desk, `[data-testid="desk-user-import-password-${who}"] code`)
    const [wallPassword, workerPassword] = [await password('sx.wall'), await password('dxz.gw2')]
    tally.check('[onboarding] three accounts made, each with a one-time password', wallPassword.length >= 12 && workerPassword.length >= 12)
    await shoot(desk, 'accounts-1366')
    await desk.click('[data-testid="desk-user-import-close"]')

    // 网格划分: split 东辛庄村's third grid down its middle, merge 西王庄村's first two
    const villageId = (await api<{ features: { properties: { id: number; name: string } }[] }>(admin.token, '/api/villages')).features.find((v) => v.properties.name === '东辛庄村')!.properties.id
    const second = (await api<{ features: { properties: { id: number; name: string } }[] }>(admin.token, '/api/villages')).features.find((v) => v.properties.name === '西王庄村')!.properties.id
    const gridIds = async (v: number) => (await api<{ features: { properties: { id: number; code: string } }[] }>(admin.token, `/api/grids?village=${v}`)).features.map((f) => f.properties)
    await desk.goto(`${system.origin}/desk/#/grids`)
    await seen(desk, '[data-testid="desk-grids"]')
    await desk.selectOption('[data-testid="desk-grids-village"]', String(villageId))
    await seen(desk, '[data-testid="desk-grids-map"][data-ready="1"]', 30_000)
    const third = (await gridIds(villageId)).find((g) => g.code === grids[2].code)!
    await desk.click(`[data-testid="desk-grids-row-${third.id}"]`)
    await desk.click('[data-testid="desk-grids-split"]')
    const box = (await desk.locator('[data-testid="desk-grids-map"]').boundingBox())!
    const screen = async (p: [number, number]) => {
      const xy = await desk.locator('[data-testid="desk-grids-map"]').evaluate((el, q) => (el as unknown as { gridMapProject(lng: number, lat: number): { x: number; y: number } }).gridMapProject(q[0], q[1]), p)
      return { x: box.x + xy.x, y: box.y + xy.y }
    }
    const [cx] = centre(grids[2].ring)
    // from just below the grid to just above it: the village's top edge is near the map's, so not far
    const a = await screen([cx, Y0 + S / 2 - 0.0006])
    const b = await screen([cx, Y0 + S + 0.0006])
    await desk.mouse.click(a.x, a.y)
    await desk.mouse.move(b.x, b.y, { steps: 6 })
    await desk.mouse.click(b.x, b.y)
    await desk.waitForTimeout(200)
    await desk.mouse.click(b.x, b.y)
    tally.check('[onboarding] a line drawn across a grid is checked: 四无 kept', await seen(desk, '[data-testid="desk-grids-report-ok"]'))
    await shoot(desk, 'split-1366', '[data-testid="desk-grids"]')
    await desk.click('[data-testid="desk-grids-save"]')
    await seen(desk, '[data-testid="desk-notice"]')
    tally.check('[onboarding] 保存: 东辛庄村 has five grids', (await gridIds(villageId)).length === 5)
    await desk.selectOption('[data-testid="desk-grids-village"]', String(second))
    await seen(desk, '[data-testid="desk-grids-map"][data-ready="1"]', 30_000)
    const pair = (await gridIds(second)).filter((g) => g.code === grids[4].code || g.code === grids[5].code)
    for (const g of pair) await desk.click(`[data-testid="desk-grids-row-${g.id}"] input`)
    await desk.click('[data-testid="desk-grids-merge"]')
    tally.check('[onboarding] two neighbouring grids merge cleanly (预检)', await seen(desk, '[data-testid="desk-grids-report-ok"]'))
    await desk.click('[data-testid="desk-grids-save"]')
    await seen(desk, '[data-testid="desk-notice"]')
    tally.check('[onboarding] 保存: 西王庄村 has three grids', (await gridIds(second)).length === 3)
    await shoot(desk, 'merged-1366', '[data-testid="desk-grids"]')

    // 一标三实: the grid worker places the household waiting in her grid, at its door
    const phone = await browser.newContext({ ...PHONE, geolocation: { longitude: centre(grids[1].ring)[0], latitude: centre(grids[1].ring)[1], accuracy: 10 }, permissions: ['geolocation'] })
    const m = await phone.newPage()
    const mErrors = watchErrors(m)
    await signIn(m, system.origin, 'dxz.gw2', '/m/', workerPassword)
    await m.click('[data-testid="m-tab-people"]')
    const target = waiting.items.find((h) => h.code === '371399101007')!
    tally.check('[onboarding] the grid worker\'s phone lists the household under 待落图', await seen(m, `[data-testid="m-unplaced-${target.id}"]`))
    await m.screenshot({ path: artifactPath('onboarding-phone-unplaced-390.png') })
    await m.click(`[data-testid="m-unplaced-${target.id}"]`)
    await m.click('[data-testid="m-place-locate"]')
    await seen(m, '[data-testid="m-place-point"]')
    await m.screenshot({ path: artifactPath('onboarding-phone-place-390.png') })
    await m.click('[data-testid="m-place-confirm"]')
    tally.check('[onboarding] 确认落图: sent', await seen(m, '[data-testid="m-notice"]:has-text("住户已落图")'))
    const placed = await api<{ gridId: number | null; location: [number, number] | null }>(admin.token, `/api/households/${target.id}`)
    tally.check('[onboarding] the household is placed at the door, in her grid', !!placed.location && placed.gridId !== null, JSON.stringify(placed))
    tally.check('[onboarding] the phone shows no page or console error', mErrors.length === 0, mErrors.slice(0, 3).join(' | '))
    await phone.close()

    // the wall: the new display account's, the new township and nothing of 店子镇
    const login = (await (await fetch(`${system.origin}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'sx.wall', password: wallPassword }) })).json()) as { token: string }
    const wallContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const wall = await wallContext.newPage()
    const wErrors = watchErrors(wall)
    foreign.push(...watchRequests(wall, system.origin).foreign)
    await wall.goto(`${system.origin}/#token=${login.token}`)
    tally.check('[onboarding] the wall draws the new township\'s map', await seen(wall, 'body[data-map-ready="1"]', 90_000))
    await wall.waitForTimeout(3000)
    const title = await text(wall, '[data-testid="title-bar"]')
    const all = await wall.evaluate(() => document.body.innerText)
    tally.check('[onboarding] the wall is 上线镇\'s, and nothing on it says 店子镇', /上线镇/.test(title) && !all.includes('店子镇'), title.slice(0, 120))
    const residents = Number((await text(wall, '[data-testid="population-residents"] .value')).replace(/\D/g, ''))
    tally.check('[onboarding] the wall counts the 14 people imported into households with a grid', residents === 14, String(residents))
    await wall.screenshot({ path: artifactPath('onboarding-wall-1920.png') })
    tally.check('[onboarding] the wall shows no page or console error', wErrors.length === 0, wErrors.slice(0, 3).join(' | '))
    await wallContext.close()
    await desk.context().close()
    tally.check('[onboarding] the desk shows no page or console error', errors.filter((e) => !/status of 4\d\d/.test(e)).length === 0, errors.slice(0, 3).join(' | '))
    tally.check('[onboarding] zero requests outside the origin', foreign.length === 0, foreign.slice(0, 3).join(', '))
  } finally {
    await system.stop()
  }
}

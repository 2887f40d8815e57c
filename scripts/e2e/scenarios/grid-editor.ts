// 网格划分 on the desk at 1366×768, as the admin does it: she opens a village, cuts a grid in two
// by drawing a line across it on the map (the check, then 保存), tries to merge two grids that
// do not touch and reads the server's refusal, merges two neighbours, and gives a grid its
// worker; the list and the map follow, and a wall open beside the desk reads the new grids
// within seconds. Every step is photographed and its text checked for overflow and overlap.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiLogin, artifactPath, signIn, type System, type Tally, watchErrors, watchRequests } from '../harness.ts'
import { layoutProblems } from '../layout.ts'

type Ring = [number, number][]
interface GridFeature {
  properties: { id: number; code: string; name: string; kind: string; households: number; label: [number, number]; gridWorker: { name: string } }
  geometry: { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] }
}
interface Report { problems: unknown[]; grids: { id: number | null; change: string; code: string }[] }

export async function gridEditorScenario(browser: Browser, system: System, tally: Tally): Promise<void> {
  const api = async <T>(path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${system.origin}${path}`, {
      method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await apiLogin(system.origin, 'admin')}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json().catch(() => null)) as T }
  }
  const gridsOf = async (village: number) => (await api<{ features: GridFeature[] }>(`/api/grids?village=${village}`)).json.features
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  const foreign: string[] = []
  const refusals: string[] = []
  async function open(username: string, path: string, viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    contexts.push(context)
    const page = await context.newPage()
    foreign.push(...watchRequests(page, system.origin).foreign)
    const mine = watchErrors(page)
    // the browser logs every refused request as an error: the one refusal asked for is kept apart
    page.on('response', (r) => {
      if (r.status() >= 400) refusals.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`)
    })
    page.on('close', () => errors.push(...mine.map((e) => `${username}: ${e}`).filter((e) => !/status of 400/.test(e))))
    await signIn(page, system.origin, username, path)
    return page
  }
  async function shoot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(400)
    await page.screenshot({ path: artifactPath(`grid-editor-${name}.png`) })
    const problems = await layoutProblems(page, '[data-testid="desk-grids"]')
    tally.check(`[grideditor] ${name}: no text overflows its box or overlaps another`, problems.length === 0,
      problems.slice(0, 6).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; '))
  }
  const seen = (page: Page, selector: string, timeout = 15_000) => page.waitForSelector(selector, { timeout }).then(() => true, () => false)

  try {
    // a village, a grid a straight line cuts in two, and two neighbours to merge: found by the
    // server's own dry runs, so the scenario does not depend on how the demo's grids are drawn
    const village = 5
    const grids = await gridsOf(village)
    let cut: { grid: GridFeature; line: [[number, number], [number, number]] } | null = null
    for (const g of grids) {
      if (g.geometry.type !== 'Polygon') continue
      const ring = g.geometry.coordinates[0]
      const xs = ring.map((p) => p[0])
      const [w, e] = [Math.min(...xs), Math.max(...xs)]
      const y = g.properties.label[1]
      const line: [[number, number], [number, number]] = [[w - (e - w) * 0.15, y], [e + (e - w) * 0.15, y]]
      const r = await api<Report>(`/api/grids/${g.properties.id}/split?dryRun=1`, 'POST', { line: { type: 'LineString', coordinates: line } })
      if (r.status === 200 && !r.json.problems.length) {
        cut = { grid: g, line }
        break
      }
    }
    tally.check('[grideditor] the demo village has a grid a straight line cuts in two (server dry run)', !!cut)
    if (!cut) return

    const wall = await open('display', '/', { width: 1920, height: 1080 })
    const desk = await open('admin', '/desk/', { width: 1366, height: 768 })
    await desk.click('[data-testid="desk-nav-grids"]')
    tally.check('[grideditor] 网格划分 opens from the admin\'s menu', await seen(desk, '[data-testid="desk-grids"]'))
    await desk.selectOption('[data-testid="desk-grids-village"]', String(village))
    const ready = () => seen(desk, '[data-testid="desk-grids-map"][data-ready="1"]', 30_000)
    tally.check('[grideditor] the village\'s grids are on the map and in the list', await ready()
      && (await desk.locator('[data-testid^="desk-grids-row-"]').count()) === grids.length, `${grids.length} grids`)
    await shoot(desk, 'village-1366')

    // 切分: select the grid, draw the line across it on the map, check, save
    await desk.click(`[data-testid="desk-grids-row-${cut.grid.properties.id}"]`)
    await desk.click('[data-testid="desk-grids-split"]')
    const box = (await desk.locator('[data-testid="desk-grids-map"]').boundingBox())!
    const screen = async (p: [number, number]) => {
      const xy = await desk.locator('[data-testid="desk-grids-map"]').evaluate((el, q) => (el as unknown as { gridMapProject(lng: number, lat: number): { x: number; y: number } }).gridMapProject(q[0], q[1]), p)
      return { x: box.x + xy.x, y: box.y + xy.y }
    }
    const a = await screen(cut.line[0])
    const b = await screen(cut.line[1])
    await desk.mouse.move(a.x, a.y)
    await desk.mouse.click(a.x, a.y)
    await desk.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 })
    await desk.mouse.move(b.x, b.y, { steps: 4 })
    await desk.mouse.click(b.x, b.y)
    await desk.waitForTimeout(200)
    await desk.mouse.click(b.x, b.y)
    const checked = await seen(desk, '[data-testid="desk-grids-report-ok"]')
    tally.check('[grideditor] a line drawn across the grid is checked by the server: 四无 kept, a new grid made', checked,
      checked ? '' : await desk.locator('[data-testid="desk-grids-edit"]').innerText().catch(() => 'no edit panel'))
    await shoot(desk, 'split-check-1366')
    const newCode = `${cut.grid.properties.code}-2`
    await desk.click('[data-testid="desk-grids-save"]')
    await seen(desk, '[data-testid="desk-notice"]')
    const afterSplit = await gridsOf(village)
    const made = afterSplit.find((g) => g.properties.code === newCode)
    tally.check('[grideditor] 保存: the grid is cut in two, the new part is a grid of its own', afterSplit.length === grids.length + 1 && !!made,
      `${afterSplit.length} grids, ${made ? newCode : 'no ' + newCode}`)
    tally.check('[grideditor] the list shows the new grid', await seen(desk, `[data-code="${newCode}"]`))
    await ready()
    await shoot(desk, 'split-saved-1366')

    // 合并 of two grids that do not touch: the server's reason, as it came
    const far = afterSplit.filter((g) => g.properties.id !== cut!.grid.properties.id && g.properties.id !== made?.properties.id)
    let apart: [number, number] | null = null
    let pair: [number, number] | null = null
    for (let i = 0; i < far.length && !(apart && pair); i++) {
      for (let j = i + 1; j < far.length && !(apart && pair); j++) {
        const ids: [number, number] = [far[i].properties.id, far[j].properties.id]
        const r = await api<Report & { code?: string }>('/api/grids/merge?dryRun=1', 'POST', { ids })
        if (r.status === 400 && r.json.code === 'grids_not_adjacent') apart ??= ids
        else if (r.status === 200 && !r.json.problems.length) pair ??= ids
      }
    }
    tally.check('[grideditor] the village has two grids apart and two neighbours (server dry runs)', !!apart && !!pair)
    if (!apart || !pair) return
    const pick = async (ids: number[]) => {
      await desk.locator('[data-testid^="desk-grids-row-"].on input').evaluateAll((boxes) => boxes.forEach((x) => (x as HTMLInputElement).click()))
      for (const id of ids) await desk.click(`[data-testid="desk-grids-row-${id}"] input`)
    }
    await pick(apart)
    await desk.click('[data-testid="desk-grids-merge"]')
    const refusal = (await seen(desk, '[data-testid="desk-grids-refusal"]')) ? await desk.locator('[data-testid="desk-grids-refusal"]').innerText() : ''
    tally.check('[grideditor] merging grids that do not touch shows the server\'s code and reason', refusal.includes('grids_not_adjacent') && refusal.includes('share'), refusal)
    await shoot(desk, 'merge-refused-1366')
    await desk.click('[data-testid="desk-grids-cancel"]')

    // 合并 of two neighbours; the wall beside the desk reads the grids again
    await pick(pair)
    await desk.click('[data-testid="desk-grids-merge"]')
    tally.check('[grideditor] two neighbours merge cleanly (预检)', await seen(desk, '[data-testid="desk-grids-report-ok"]'))
    await shoot(desk, 'merge-check-1366')
    const wallReads = wall.waitForResponse((r) => new URL(r.url()).pathname === '/api/grids' && r.status() === 200, { timeout: 15_000 }).catch(() => null)
    await desk.click('[data-testid="desk-grids-save"]')
    await seen(desk, '[data-testid="desk-notice"]')
    const afterMerge = await gridsOf(village)
    const gone = pair.filter((id) => !afterMerge.some((g) => g.properties.id === id))
    tally.check('[grideditor] 保存: one of the two is retired, the other holds both', afterMerge.length === afterSplit.length - 1 && gone.length === 1, `${afterMerge.length} grids`)
    tally.check('[grideditor] the list no longer shows the retired grid', await desk.locator(`[data-testid="desk-grids-row-${gone[0]}"]`).waitFor({ state: 'detached', timeout: 10_000 }).then(() => true, () => false))
    const reread = await wallReads
    const wallGrids = reread ? ((await reread.json()) as { features: GridFeature[] }).features : []
    tally.check('[grideditor] the wall open beside the desk reads the grids again within seconds, without the retired one',
      !!reread && wallGrids.some((g) => g.properties.code === newCode) && !wallGrids.some((g) => g.properties.id === gone[0]))
    await ready()
    await shoot(desk, 'merge-saved-1366')

    // 指定网格员: the kept grid's worker is another grid's account
    const kept = pair.find((id) => id !== gone[0])!
    const workers = (await api<{ id: number; username: string; gridId: number | null; displayName: string }[]>(`/api/grid-workers?village=${village}`)).json
    const other = workers.find((w) => w.gridId !== kept && w.gridId !== null)
    await pick([kept])
    if (other) {
      await desk.selectOption('[data-testid="desk-grids-worker"]', String(other.id))
      await desk.click('[data-testid="desk-grids-card-save"]')
      await seen(desk, '[data-testid="desk-notice"]')
      const card = (await gridsOf(village)).find((g) => g.properties.id === kept)
      tally.check('[grideditor] a grid is given another grid\'s worker: its card names her', card?.properties.gridWorker.name === other.displayName, card?.properties.gridWorker.name)
    }
    await shoot(desk, 'worker-1366')
    await wall.screenshot({ path: artifactPath('grid-editor-wall-1920.png') })

    // 调整边界: a vertex the grid shares with its neighbours (not on the village outline) dragged
    // a quarter of the way towards the grid's middle; the neighbours take what it gives up
    const now = await gridsOf(village)
    const outline = (await api<{ features: { properties: { id: number }; geometry: { type: string; coordinates: unknown } }[] }>('/api/villages')).json.features
      .find((v) => v.properties.id === village)!
    const key = (p: number[]) => `${p[0].toFixed(7)},${p[1].toFixed(7)}`
    const onOutline = new Set(JSON.stringify(outline.geometry.coordinates).match(/-?\d+\.\d+,-?\d+\.\d+/g)!.map((x) => key(x.split(',').map(Number))))
    const vertexCount = new Map<string, number>()
    for (const g of now) if (g.geometry.type === 'Polygon') for (const p of new Set(g.geometry.coordinates[0].map(key))) vertexCount.set(p, (vertexCount.get(p) ?? 0) + 1)
    const target = now.find((g) => g.geometry.type === 'Polygon' && g.geometry.coordinates[0].some((p) => (vertexCount.get(key(p)) ?? 0) >= 3 && !onOutline.has(key(p))))
    if (target && target.geometry.type === 'Polygon') {
      const v = target.geometry.coordinates[0].find((p) => (vertexCount.get(key(p)) ?? 0) >= 3 && !onOutline.has(key(p)))!
      await pick([target.properties.id])
      await desk.click('[data-testid="desk-grids-reshape"]')
      await desk.waitForTimeout(500)
      const from = await screen([v[0], v[1]])
      const mid = await screen(target.properties.label)
      const to = { x: from.x + (mid.x - from.x) * 0.25, y: from.y + (mid.y - from.y) * 0.25 }
      await desk.mouse.move(from.x, from.y)
      await desk.mouse.down()
      await desk.mouse.move(to.x, to.y, { steps: 10 })
      await desk.mouse.up()
      await desk.click('[data-testid="desk-grids-check"]')
      const ok = await seen(desk, '[data-testid="desk-grids-report-ok"]')
      tally.check('[grideditor] a vertex dragged on the map: the neighbours take what the grid gives up (预检 keeps 四无)', ok,
        ok ? '' : await desk.locator('[data-testid="desk-grids-edit"]').innerText().catch(() => 'no edit panel'))
      await shoot(desk, 'reshape-check-1366')
      await desk.click('[data-testid="desk-grids-save"]')
      await seen(desk, '[data-testid="desk-notice"]')
      const reshaped = (await gridsOf(village)).find((g) => g.properties.id === target.properties.id)
      tally.check('[grideditor] 保存: the grid\'s outline changed', !!reshaped && JSON.stringify(reshaped.geometry) !== JSON.stringify(target.geometry))
    } else tally.check('[grideditor] a grid with a vertex shared by three grids inside the village', false)

    // 新建专属网格: a square drawn inside a grid, named, checked and saved
    await ready()
    // the largest grid, a square around its label point: well inside it, out of the snapping's reach
    const extent = (g: GridFeature) => {
      const xs = (g.geometry.type === 'Polygon' ? g.geometry.coordinates : g.geometry.coordinates.flat()).flat().map((p) => p[0])
      return Math.max(...xs) - Math.min(...xs)
    }
    const host = (await gridsOf(village)).filter((g) => g.geometry.type === 'Polygon').sort((x, y) => extent(y) - extent(x))[0]
    const c = await screen(host.properties.label)
    await pick([])
    await desk.click('[data-testid="desk-grids-create"]')
    const corners = [[-26, -20], [26, -20], [26, 20], [-26, 20], [-26, -20]].map(([dx, dy]) => ({ x: c.x + dx, y: c.y + dy }))
    for (const p of corners) {
      await desk.mouse.move(p.x, p.y, { steps: 3 })
      await desk.mouse.click(p.x, p.y)
      await desk.waitForTimeout(120)
    }
    const named = await seen(desk, '[data-testid="desk-grids-new-grid-name"]')
    tally.check('[grideditor] a polygon drawn on the map asks for the new grid\'s name and code', named)
    if (named) {
      await desk.fill('[data-testid="desk-grids-new-grid-name"]', '中心小学')
      await desk.fill('[data-testid="desk-grids-new-grid-code"]', `${host.properties.code}-SCH`)
      await desk.click('[data-testid="desk-grids-check"]')
      tally.check('[grideditor] the exclusive grid is carved out of its base grid (预检)', await seen(desk, '[data-testid="desk-grids-report-ok"]'))
      await shoot(desk, 'create-check-1366')
      await desk.click('[data-testid="desk-grids-save"]')
      await seen(desk, '[data-testid="desk-notice"]')
      const school = (await gridsOf(village)).find((g) => g.properties.code === `${host.properties.code}-SCH`) 
      tally.check('[grideditor] 保存: 中心小学 is an exclusive grid of the village', school?.properties.kind === 'exclusive')
      await ready()
      await shoot(desk, 'create-saved-1366')
    }
  } finally {
    for (const c of contexts) await c.close()
    tally.check('[grideditor] no page or console errors', errors.length === 0, errors.slice(0, 4).join(' | '))
    tally.check('[grideditor] no request refused but the merge of grids apart', refusals.join() === '400 POST /api/grids/merge?dryRun=1', refusals.join(', '))
    tally.check('[grideditor] nothing asked of another origin (the map is offline)', foreign.length === 0, foreign.slice(0, 3).join(' '))
  }
}

// The wall's own layout checks, beside the text check of layout.ts (glyph boxes against their
// boxes, clipping containers and each other):
// - chart text: ECharts draws its labels, legends and axis names on a canvas, out of the DOM's
//   reach; each chart's own text boxes (zrender's, read through window.__echarts) must lie inside
//   its canvas and not cover each other, and each chart must lie inside its panel;
// - short labels (a count and its unit, a KPI's name) must not break over two lines;
// - an input's placeholder (drawn by the browser, not a text node) must fit its box;
// - the boxes floating over the map (breadcrumb, tour chip, data time, legend, the orders' and
//   trucks' panels, the cards) must not cover each other, must stay inside the map, and the
//   panels with tables over the map must be opaque, so map labels never show through their rows;
// - the map's place names (village and grid names, drawn by deck.gl on a canvas): no two may cover
//   each other, measured from the layers' own data in the page's font (mapLabelProblems);
// - at a fitted view (a scope just entered), no feature of the scope under a docked panel
//   (fittedMapProblems: the scope's villages or grids, their screen boxes against the panels').
import type { Page } from 'playwright-core'
import { layoutProblems, type LayoutProblem } from './layout.ts'

export interface WallProblem {
  kind: LayoutProblem['kind'] | 'map-label-overlap' | 'map-feature-hidden' | 'placeholder-clipped' | 'chart-clipped' | 'chart-overlap' | 'chart-outside-panel' | 'wrapped' | 'float-overlap' | 'float-outside-map' | 'translucent'
  text: string
  other?: string
}

/** what floats over the map, by test id */
export const FLOATING = ['breadcrumb', 'tour-chip', 'map-asof', 'legend', 'work-order-panel', 'vehicle-panel', 'vehicle-card', 'household-card']
/** floating panels whose rows sit over map labels: these must be opaque */
export const OPAQUE = ['legend', 'work-order-panel', 'vehicle-panel', 'tour-chip', 'map-asof']

/** every layout problem of the wall now: the DOM text check plus the wall's own checks */
export async function wallLayoutProblems(page: Page): Promise<WallProblem[]> {
  const dom = await layoutProblems(page, 'body')
  const own = (await page.evaluate(`(${WALL_CHECK})(${JSON.stringify({ floating: FLOATING, opaque: OPAQUE })})`)) as WallProblem[]
  return [...dom, ...own, ...(await mapLabelProblems(page))]
}

/** the place-name layers whose names must never cover each other */
export const PLACE_LABELS = ['village-labels', 'grid-labels']
/** the panels docked over the map, which a fitted scope must keep clear of (cards come and go) */
export const DOCKED = ['breadcrumb', 'tour-chip', 'map-asof', 'legend', 'work-order-panel', 'vehicle-panel']

/** place names on the map that cover each other */
export async function mapLabelProblems(page: Page): Promise<WallProblem[]> {
  return (await page.evaluate(`(${LABEL_CHECK})(${JSON.stringify(PLACE_LABELS)})`)) as WallProblem[]
}

/** at a fitted view: features of the scope (town: its villages; village: its grids) under a docked panel or off the map */
export async function fittedMapProblems(page: Page): Promise<WallProblem[]> {
  return (await page.evaluate(`(${FITTED_CHECK})(${JSON.stringify(DOCKED)})`)) as WallProblem[]
}

// the labels as deck.gl draws them: centred on their position, as wide as the text in their font
const LABEL_CHECK = String.raw`(ids) => {
  const overlay = window.__mapOverlay
  const map = window.__map
  if (!overlay || !map) return [] // no map drawn (尚未导入底数): no names to cover each other
  const c = map.getContainer().getBoundingClientRect()
  const ctx = document.createElement('canvas').getContext('2d')
  const boxes = []
  for (const layer of overlay._props.layers || []) {
    if (!layer || !ids.includes(layer.id)) continue
    const p = layer.props
    for (const d of p.data || []) {
      const text = String(p.getText(d))
      const size = (typeof p.getSize === 'function' ? p.getSize(d) : p.getSize) * (p.sizeScale || 1)
      ctx.font = (p.fontWeight || 'normal') + ' ' + size + 'px ' + p.fontFamily
      const w = ctx.measureText(text).width
      const at = map.project(p.getPosition(d))
      if (at.x < 0 || at.y < 0 || at.x > c.width || at.y > c.height) continue
      boxes.push({ text, l: at.x - w / 2, r: at.x + w / 2, t: at.y - size / 2, b: at.y + size / 2 })
    }
  }
  const problems = []
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]
      const b = boxes[j]
      if (Math.min(a.r, b.r) - Math.max(a.l, b.l) > 1 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 1) problems.push({ kind: 'map-label-overlap', text: a.text, other: b.text })
    }
  }
  return problems
}`

const FITTED_CHECK = String.raw`(docked) => {
  const overlay = window.__mapOverlay
  const map = window.__map
  if (!overlay || !map) return [{ kind: 'map-feature-hidden', text: 'no map' }]
  const c = map.getContainer().getBoundingClientRect()
  const scope = new URLSearchParams(location.search).get('scope') || 'town'
  const [kind, id] = scope.split(':')
  const layerOf = (name) => (overlay._props.layers || []).find((l) => l && l.id === name)
  let features = []
  if (kind === 'town') features = layerOf('villages')?.props.data.features || []
  else if (kind === 'village') features = (layerOf('grids')?.props.data.features || []).filter((f) => f.properties.villageId === Number(id))
  else if (kind === 'grid') features = (layerOf('grids')?.props.data.features || []).filter((f) => f.properties.id === Number(id))
  const panels = docked.map((t) => [t, document.querySelector('[data-testid="' + t + '"]')]).filter(([, el]) => el && el.getBoundingClientRect().width > 1)
    .map(([t, el]) => { const r = el.getBoundingClientRect(); return { t, l: r.left - c.left, t2: r.top - c.top, r: r.right - c.left, b: r.bottom - c.top } })
  const problems = []
  if (!features.length) problems.push({ kind: 'map-feature-hidden', text: 'no features for ' + scope })
  for (const f of features) {
    const rings = f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat()
    let box = null
    for (const ring of rings) for (const pt of ring) {
      const p = map.project(pt)
      box = box ? { l: Math.min(box.l, p.x), t: Math.min(box.t, p.y), r: Math.max(box.r, p.x), b: Math.max(box.b, p.y) } : { l: p.x, t: p.y, r: p.x, b: p.y }
    }
    if (!box) continue
    const name = f.properties.name
    if (box.l < -1 || box.t < -1 || box.r > c.width + 1 || box.b > c.height + 1) problems.push({ kind: 'map-feature-hidden', text: name, other: 'off the map' })
    for (const p of panels) {
      if (Math.min(box.r, p.r) - Math.max(box.l, p.l) > 1 && Math.min(box.b, p.b) - Math.max(box.t, p.t2) > 1) problems.push({ kind: 'map-feature-hidden', text: name, other: p.t })
    }
  }
  return problems
}`

export const describeProblems = (ps: WallProblem[], max = 8): string =>
  ps.slice(0, max).map((p) => `${p.kind} "${p.text}"${p.other ? ` × "${p.other}"` : ''}`).join('; ') + (ps.length > max ? ` … (${ps.length} in all)` : '')

// Plain JavaScript run in the page (see layout.ts for why it is a string).
const WALL_CHECK = String.raw`({ floating, opaque }) => {
  const problems = []
  const TOL = 1.5
  const overlap = (a, b) => Math.min(a.r, b.r) - Math.max(a.l, b.l) > 2 && Math.min(a.b, b.b) - Math.max(a.t, b.t) > 2
  const inside = (a, b) => a.l >= b.l - TOL && a.t >= b.t - TOL && a.r <= b.r + TOL && a.b <= b.b + TOL
  const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom })
  const label = (s) => String(s).trim().replace(/\s+/g, ' ').slice(0, 40)

  // 1. chart text, from the charts themselves
  for (const holder of document.querySelectorAll('[data-chart]')) {
    const name = holder.dataset.chart
    const host = holder.querySelector('[_echarts_instance_]')
    const chart = host && window.__echarts && window.__echarts.getInstanceByDom(host)
    if (!chart) continue
    const panel = holder.closest('section')
    if (panel && !inside(box(holder.getBoundingClientRect()), box(panel.getBoundingClientRect()))) problems.push({ kind: 'chart-outside-panel', text: name })
    const zr = chart.getZr()
    const W = zr.getWidth()
    const H = zr.getHeight()
    const texts = []
    for (const el of zr.storage.getDisplayList(true)) {
      if (el.type !== 'tspan' || el.invisible || el.ignore) continue
      const text = el.style && el.style.text
      if (!text || !String(text).trim() || (el.style.opacity ?? 1) === 0) continue
      const r = el.getBoundingRect()
      if (r.width < 0.5 || r.height < 0.5) continue
      // the text's own rectangle, turned as it is drawn (rotated axis labels), as four corners
      const m = (el.getComputedTransform ? el.getComputedTransform() : el.transform) || [1, 0, 0, 1, 0, 0]
      const at = (x, y) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]]
      const quad = [at(r.x, r.y), at(r.x + r.width, r.y), at(r.x + r.width, r.y + r.height), at(r.x, r.y + r.height)]
      const xs = quad.map((p) => p[0])
      const ys = quad.map((p) => p[1])
      if (Math.min(...xs) < -TOL || Math.min(...ys) < -TOL || Math.max(...xs) > W + TOL || Math.max(...ys) > H + TOL) problems.push({ kind: 'chart-clipped', text: name + ': ' + label(text) })
      texts.push({ quad, text: label(text), parent: el.parent })
    }
    // two convex quadrilaterals overlap unless some edge's normal separates them (by more than a pixel's slack)
    const separated = (a, b) => {
      for (const poly of [a, b]) {
        for (let i = 0; i < 4; i++) {
          const [x1, y1] = poly[i]
          const [x2, y2] = poly[(i + 1) % 4]
          const nx = y2 - y1
          const ny = x1 - x2
          const len = Math.hypot(nx, ny) || 1
          const pa = a.map((p) => (p[0] * nx + p[1] * ny) / len)
          const pb = b.map((p) => (p[0] * nx + p[1] * ny) / len)
          if (Math.max(...pa) - 2 <= Math.min(...pb) || Math.max(...pb) - 2 <= Math.min(...pa)) return true
        }
      }
      return false
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (texts[i].parent && texts[i].parent === texts[j].parent) continue
        if (!separated(texts[i].quad, texts[j].quad)) problems.push({ kind: 'chart-overlap', text: name + ': ' + texts[i].text, other: texts[j].text })
      }
    }
  }

  // 2. short labels broken over two lines
  const BLOCKISH = /^(block|flex|grid|table|list-item|flow-root|table-row|table-cell|inline-flex|inline-grid)$/
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('script, style, svg, canvas, select, textarea, input, [data-chart]')) continue
    const text = (el.textContent || '').trim()
    if (!text || text.length > 20) continue
    const s = getComputedStyle(el)
    if (s.display === 'none' || s.visibility === 'hidden' || /flex|grid/.test(s.display)) continue
    if ([...el.children].some((c) => BLOCKISH.test(getComputedStyle(c).display) || c.tagName === 'BR')) continue
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue
    const range = document.createRange()
    range.selectNodeContents(el)
    const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5).sort((a, b) => a.top - b.top)
    let lines = 0
    let bottom = -Infinity
    for (const r of rects) {
      if (r.top >= bottom - 1) {
        lines++
        bottom = r.bottom
      } else bottom = Math.max(bottom, r.bottom)
    }
    if (lines > 1) problems.push({ kind: 'wrapped', text: label(text) })
  }

  // 3. what floats over the map
  const map = document.querySelector('.centre')
  const mapBox = map ? box(map.getBoundingClientRect()) : null
  const floats = floating
    .map((id) => [id, document.querySelector('[data-testid="' + id + '"]')])
    .filter(([, el]) => el && el.getBoundingClientRect().width > 1)
    .map(([id, el]) => ({ id, el, b: box(el.getBoundingClientRect()) }))
  for (let i = 0; i < floats.length; i++) {
    if (mapBox && !inside(floats[i].b, mapBox)) problems.push({ kind: 'float-outside-map', text: floats[i].id })
    for (let j = i + 1; j < floats.length; j++) {
      if (overlap(floats[i].b, floats[j].b)) problems.push({ kind: 'float-overlap', text: floats[i].id, other: floats[j].id })
    }
  }
  for (const f of floats) {
    if (!opaque.includes(f.id)) continue
    const bg = getComputedStyle(f.el).backgroundColor
    const m = /rgba?\(([^)]+)\)/.exec(bg)
    const alpha = m ? (m[1].split(',').length === 4 ? Number(m[1].split(',')[3]) : 1) : 0
    if (alpha < 1) problems.push({ kind: 'translucent', text: f.id + ' ' + bg })
  }

  // 4. placeholders, measured in the input's own font against its content box
  const ctx = document.createElement('canvas').getContext('2d')
  for (const input of document.querySelectorAll('input[placeholder]')) {
    const s = getComputedStyle(input)
    const r = input.getBoundingClientRect()
    if (!input.placeholder || input.value || r.width < 1 || s.visibility === 'hidden') continue
    ctx.font = s.font
    const room = r.width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth)
    if (ctx.measureText(input.placeholder).width > room + TOL) problems.push({ kind: 'placeholder-clipped', text: input.placeholder })
  }
  return problems
}`

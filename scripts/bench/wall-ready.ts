// The county's wall in a real browser: from opening the page (signed in) to its map drawn and
// every chart painted, as a wall PC at 1920×1080 would. The HTTP figures say how fast the API
// answers; this says when a leader looking at the screen sees the county.
//
// Both moments are taken on the page's own clock (performance.now(), from navigation start):
// the map's 'map-ready' mark, and the first animation frame at which every chart's canvas holds
// paint. Playwright's own polling reached a software-rendered page (SwiftShader, no GPU here)
// seconds after those moments, so it only says when to read them.
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, signIn } from '../e2e/harness.ts'
import { CHART_PAINTED } from '../e2e/wall-probe.ts'
import { BENCH_PASSWORD } from './api-process.ts'

declare global {
  interface Window {
    __chartsPaintedAt?: number
  }
}

/**
 * Installed before the app: notes when every chart first holds paint. It looks on animation
 * frames, not on a timer: a busy software-rendered page ran no timer for seconds while it kept
 * drawing frames, and the charts are painted on frames too.
 */
const WATCH_CHARTS = `(() => {
  const painted = ${CHART_PAINTED}
  let frame = 0
  const look = () => {
    const charts = [...document.querySelectorAll('[data-chart]')]
    if (charts.length > 0 && frame++ % 2 === 0 && charts.every(painted)) window.__chartsPaintedAt = performance.now()
    else requestAnimationFrame(look)
  }
  requestAnimationFrame(look)
})()`

/** the page's own times (ms from navigation start) once both have happened */
async function drawnAt(page: Page): Promise<{ map: number; charts: number }> {
  await page.waitForFunction(() => !!document.body.dataset.mapReady && window.__chartsPaintedAt !== undefined, undefined, { polling: 100, timeout: 120_000 })
  return page.evaluate(() => ({ map: performance.getEntriesByName('map-ready')[0]?.startTime ?? NaN, charts: window.__chartsPaintedAt! }))
}

/** seconds from navigation to the wall drawn (map and charts), `runs` times, each in a new tab of a signed-in browser */
export async function wallReadySeconds(origin: string, username: string, runs: number): Promise<{ map: number; charts: number }[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await context.addInitScript({ content: WATCH_CHARTS })
    const login = await context.newPage()
    await signIn(login, origin, username, '/', BENCH_PASSWORD)
    // the first opening warms the API's connections and the browser's cache of the build
    await drawnAt(login)
    await login.close()
    const times: { map: number; charts: number }[] = []
    for (let k = 0; k < runs; k++) {
      const page = await context.newPage()
      await page.goto(origin + '/')
      const t = await drawnAt(page)
      times.push({ map: t.map / 1000, charts: t.charts / 1000 })
      await page.close()
    }
    return times
  } finally {
    await browser.close()
  }
}

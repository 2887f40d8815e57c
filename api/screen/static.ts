import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import fastifyStatic from '@fastify/static'
import { errorBody } from '../http/errors.ts'

export interface ScreenState {
  /** false while the first build of the screen is still running */
  ready: boolean
  /** set when the build failed: the page says so instead of waiting forever */
  error?: string
}

// Shown while `vite build` runs on a cold start; refreshes itself without a script (CSP forbids inline ones).
const BUILDING_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="3"><title>数智网格 · 正在准备</title></head>
<body style="background:#04101f;color:#8fe3ff;font:28px 'Noto Sans CJK SC',sans-serif;display:flex;align-items:center;justify-content:center;height:100vh;margin:0">
大屏正在构建，请稍候…</body></html>`

/** Serves the built screen at / with history-mode fallback; /api/* misses stay JSON 404s. */
export function screenRoutes(distDir: string, state: ScreenState): FastifyPluginAsync {
  return async (app) => {
    // the page and its assets are what a signed-out browser loads to show the sign-in form
    app.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), public: true }
    })
    // wildcard: files are looked up per request, because on a cold start dist/ appears after the server is up.
    await app.register(fastifyStatic, {
      root: distDir,
      wildcard: true,
      index: false,
      setHeaders(reply, path) {
        if (path.includes('/assets/')) reply.header('Cache-Control', 'public, max-age=31536000, immutable')
      },
    })
    const sendIndex = (reply: import('fastify').FastifyReply, page = 'index.html') => {
      if (state.error) {
        return reply.code(500).type('text/plain; charset=utf-8').send(`大屏构建失败，请查看服务日志: ${state.error}`)
      }
      if (!state.ready || !existsSync(join(distDir, 'index.html'))) {
        return reply.code(503).header('Retry-After', '3').type('text/html; charset=utf-8').send(BUILDING_PAGE)
      }
      return reply.header('Cache-Control', 'no-cache').sendFile(page)
    }
    app.get('/', { schema: { hide: true } }, (_req, reply) => sendIndex(reply))
    // the other apps: the grid worker's phone page, the operations desk, the residents' channel
    for (const page of ['m', 'desk', 'r']) {
      app.get(`/${page}/`, { schema: { hide: true } }, (_req, reply) => sendIndex(reply, `${page}/index.html`))
      app.get(`/${page}`, { schema: { hide: true } }, (_req, reply) => reply.redirect(`/${page}/`))
    }
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/socket.io/')) {
        // Hashed asset names never change content; anything else is a client route.
        if (!state.ready) return sendIndex(reply)
        const path = req.url.split('?')[0]
        if (path.startsWith('/assets/') || path.includes('.')) return reply.code(404).send(errorBody(404, `${path} not found`))
        const page = ['m', 'desk', 'r'].find((a) => path.startsWith(`/${a}/`))
        return sendIndex(reply, page ? `${page}/index.html` : 'index.html')
      }
      return reply.code(404).send(errorBody(404, `route ${req.method} ${req.url.split('?')[0]} not found`))
    })
  }
}

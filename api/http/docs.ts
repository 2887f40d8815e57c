import type { FastifyInstance } from 'fastify'
import swaggerUi from '@fastify/swagger-ui'

/**
 * The API's own description at /api/docs. The page and Swagger UI's scripts are generic and
 * public; the description itself (/api/docs/json, /api/docs/yaml: every route, field and
 * refusal) is for a signed-in admin only (the gate in ../auth/plugin.ts). A browser does not
 * send a bearer token when it opens a page, so the page adds the one the desk keeps in this
 * browser to its own requests: an admin signed in on the desk opens /api/docs/ and reads it.
 * Everything the page loads comes from this server: no validator badge, no outside fonts.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    validatorUrl: false,
    uiConfig: {
      validatorUrl: null,
      // serialised into the page's script: plain JS, nothing from around it
      requestInterceptor: function (req) {
        const token = window.localStorage.getItem('shuzhi.token')
        if (token && new URL(req.url, window.location.href).origin === window.location.origin) req.headers.Authorization = 'Bearer ' + token
        return req
      },
    },
    staticCSP: {
      'default-src': "'self'",
      'base-uri': "'self'",
      'connect-src': "'self'",
      'font-src': ["'self'", 'data:'],
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'img-src': ["'self'", 'data:'],
      'object-src': "'none'",
      'script-src': "'self'",
      'script-src-attr': "'none'",
      'style-src': ["'self'", "'unsafe-inline'"],
    },
  })
}

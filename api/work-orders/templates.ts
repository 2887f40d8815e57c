import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { HttpError } from '../http/errors.ts'

// 常用语: phrases the handler and the center insert into a handling or a reply in one click
// (已到现场核实，问题已处理完毕 …). The admin keeps the list, for every category or for one; the
// people who act on orders read it. Nothing personal: a phrase is the same for everyone.

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Template = Type.Object({ id: Type.Integer(), category: Type.Union([Type.String(), Type.Null()]), text: Type.String() })
export interface ReplyTemplate { id: number; category: string | null; text: string }

export const replyTemplateRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  app.get<{ Querystring: { category?: string } }>(
    '/work-orders/templates',
    {
      onRequest: async (req) => void requirePermission(req, 'workOrders.act'),
      schema: {
        tags: ['work orders'],
        summary: "常用语: the reply templates, those for every category first; with category=, that category's and the general ones",
        querystring: Type.Object({ category: Type.Optional(Type.String({ pattern: '^[a-zA-Z]{2,32}$' })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Template) },
      },
    },
    async (req) => {
      const r = await db.query<ReplyTemplate>(
        `SELECT id, category, text FROM reply_templates WHERE $1::text IS NULL OR category IS NULL OR category = $1
          ORDER BY category IS NOT NULL, category, id`, [req.query.category ?? null])
      return r.rows
    },
  )

  app.post<{ Body: { text: string; category?: string | null } }>(
    '/work-orders/templates',
    {
      onRequest: async (req) => void requirePermission(req, 'workOrders.templates'),
      schema: {
        tags: ['work orders'],
        summary: '常用语: add a phrase, for every category or for one (admin); 409 template_exists when it is there already',
        body: Type.Object(
          {
            text: Type.String({ minLength: 2, maxLength: 200 }),
            category: Type.Optional(Type.Union([Type.Null(), Type.String({ pattern: '^[a-zA-Z]{2,32}$' })])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Template },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'workOrders.templates')
      const text = req.body.text.trim()
      if (text.length < 2) throw new HttpError(400, 'body/text must be at least 2 characters besides spaces')
      const category = req.body.category ?? null
      if (category !== null && !(await db.query('SELECT 1 FROM work_order_categories WHERE code = $1', [category])).rows.length) {
        throw new HttpError(400, `body/category is not a known category (${category})`)
      }
      const r = await db.query<ReplyTemplate>(
        `INSERT INTO reply_templates (category, text, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id, category, text`,
        [category, text, user.username])
      if (!r.rows.length) throw new HttpError(409, 'body/text: this phrase is in the list already', 'template_exists')
      return reply.code(201).send(r.rows[0])
    },
  )

  app.delete<{ Params: { id: number } }>(
    '/work-orders/templates/:id',
    {
      onRequest: async (req) => void requirePermission(req, 'workOrders.templates'),
      schema: { tags: ['work orders'], summary: '常用语: take a phrase off the list (admin)', params: Type.Object({ id: Id }), response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const r = await db.query('DELETE FROM reply_templates WHERE id = $1 RETURNING id', [req.params.id])
      if (!r.rows.length) throw new HttpError(404, `reply template ${req.params.id} not found`)
      return reply.code(204).send()
    },
  )
}

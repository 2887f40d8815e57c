import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db, Queryable } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { originOf, writeAudit } from '../access/audit.ts'
import type { SessionCache } from '../auth/sessions.ts'
import { endSessionRooms, sessionRoomOfHash } from '../realtime/socket.ts'
import { ERROR_FIELDS, HttpError, problemsRejected } from '../http/errors.ts'
import { lineGeoJson, LineStringSchema, polygonalGeoJson, PolygonalSchema, type LineStringInput, type PolygonalInput } from './geometry-input.ts'
import { assertInEdit, currentGrid, drawnShape, openEdit, type GridRow } from './edit-table.ts'
import { carveGrid, mergeGrids, reshapeGrid, splitGrid } from './edits.ts'
import { checkAndSave, type EditReport } from './save.ts'
import { changeGrid, gridCard, listWorkers, type GridChange } from './workers.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
/** names and codes as people type them: no control characters, not blank */
const Name = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^\\u0000-\\u001f]*\\S[^\\u0000-\\u001f]*$' })
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\s]+$' })
const Kind = Type.Union([Type.Literal('base'), Type.Literal('exclusive')])
const Point = Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()])
const Report = Type.Object({
  action: Type.String(), dryRun: Type.Boolean(), applied: Type.Boolean(),
  grids: Type.Array(Type.Object({
    id: Type.Union([Type.Integer(), Type.Null()]), name: Type.String(), code: Type.String(), kind: Type.String(), areaM2: Type.Number(),
    change: Type.String(), geometry: Type.Unknown(),
  })),
  retired: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  householdsMoved: Type.Integer(),
  problems: Type.Array(Type.Object({ kind: Type.String(), features: Type.Array(Type.String()), areaM2: Type.Number(), point: Point, detail: Type.Optional(Type.String()) })),
  warnings: Type.Array(Type.Object({
    kind: Type.String(), features: Type.Array(Type.String()), areaM2: Type.Optional(Type.Number()), point: Type.Optional(Point), detail: Type.Optional(Type.String()),
  })),
})
const EditAnswers = { 200: Report, 422: Type.Object({ ...Report.properties, ...ERROR_FIELDS }) }
const EditQuery = Type.Object({
  dryRun: Type.Optional(Type.Integer({ minimum: 0, maximum: 1, description: '1: check and answer the report, write nothing' })),
  snap: Type.Optional(Type.Number({ minimum: 0, maximum: 20, description: 'slivers thinner than this many metres are snapped away (2)' })),
}, { additionalProperties: false })
type EditQuery = { dryRun?: number; snap?: number }
const GridCardSchema = Type.Object({
  id: Type.Integer(), villageId: Type.Integer(), code: Type.String(), name: Type.String(), kind: Type.String(), households: Type.Integer(), residents: Type.Integer(),
  worker: Type.Union([Type.Null(), Type.Object({ userId: Type.Integer(), username: Type.String(), displayName: Type.String() })]),
  workerName: Type.String(), workerPhone: Type.String(),
})

/**
 * 网格划分, the grid map editor (admin): split, merge, reshape and draw grids, each checked by the
 * 四无 rules on the whole village and written all or nothing (save.ts); ?dryRun=1 answers the
 * same report without writing. Names, codes and workers by PATCH.
 */
export const gridEditorRoutes: FastifyPluginAsync<{ db: Db; sessions: SessionCache }> = async (app, { db, sessions }) => {
  // refused before a body is read: a stranger's megabytes of coordinates cost nothing
  app.addHook('onRequest', async (req) => void requirePermission(req, 'grids.edit'))

  /** one drawing edit in one transaction; 422 with the report when the 四无 check refuses it */
  async function edit(req: FastifyRequest<{ Querystring: EditQuery }>, reply: FastifyReply, villageOf: () => Promise<number>,
    run: (tx: Queryable) => Promise<{ action: EditReport['action']; summary: string }>) {
    const user = requirePermission(req, 'grids.edit')
    const villageId = await villageOf()
    const report = await db.transaction(async (tx) => {
      await openEdit(tx, villageId)
      const { action, summary } = await run(tx)
      return checkAndSave(tx, { action, villageId, dryRun: req.query.dryRun === 1, snapM: req.query.snap ?? 2, summary, user, origin: originOf(req) })
    })
    if (report.problems.length && !report.dryRun) {
      return reply.code(422).send(problemsRejected(report))
    }
    return report
  }

  app.post<{ Params: { id: number }; Querystring: EditQuery; Body: { line: LineStringInput; names?: [string, string]; codes?: [string, string] } }>(
    '/grids/:id/split',
    {
      schema: {
        tags: ['geography'], summary: '切分: cut a grid in two by a line across it; the larger part keeps the grid (id, code, worker), the other is a new grid (admin)',
        params: Type.Object({ id: Id }), querystring: EditQuery,
        body: Type.Object({ line: LineStringSchema, names: Type.Optional(Type.Tuple([Name, Name])), codes: Type.Optional(Type.Tuple([Code, Code])) }, { additionalProperties: false }),
        response: EditAnswers,
      },
    },
    async (req, reply) => {
      const line = lineGeoJson(req.body.line, 'body/line')
      let grid: GridRow
      return edit(req, reply, async () => (grid = await currentGrid(db, req.params.id)).villageId, async (tx) => {
        await assertInEdit(tx, [grid])
        return { action: 'split', summary: await splitGrid(tx, grid, line, { names: req.body.names, codes: req.body.codes }) }
      })
    },
  )

  app.post<{ Querystring: EditQuery; Body: { ids: number[]; keep?: number; name?: string } }>(
    '/grids/merge',
    {
      schema: {
        tags: ['geography'], summary: '合并: neighbouring grids of one village become one; the kept grid (keep, else the largest) takes the union, the others are retired (admin)',
        querystring: EditQuery,
        body: Type.Object({ ids: Type.Array(Id, { minItems: 2, maxItems: 50, uniqueItems: true }), keep: Type.Optional(Id), name: Type.Optional(Name) }, { additionalProperties: false }),
        response: EditAnswers,
      },
    },
    async (req, reply) => {
      const { ids, keep, name } = req.body
      if (keep !== undefined && !ids.includes(keep)) throw new HttpError(400, `body/keep ${keep} is not one of body/ids`)
      const grids: GridRow[] = []
      return edit(req, reply, async () => {
        for (const [i, id] of ids.entries()) grids.push(await currentGrid(db, id, `body/ids/${i}: grid ${id}`))
        const other = grids.find((g) => g.villageId !== grids[0].villageId)
        if (other) throw new HttpError(400, `body/ids: ${other.name} (${other.code}) is in another village than ${grids[0].name} (${grids[0].code})`, 'grids_other_village')
        return grids[0].villageId
      }, async (tx) => {
        await assertInEdit(tx, grids)
        return { action: 'merge', summary: await mergeGrids(tx, grids, keep, name) }
      })
    },
  )

  app.put<{ Params: { id: number }; Querystring: EditQuery; Body: { geometry: PolygonalInput } }>(
    '/grids/:id/geometry',
    {
      schema: {
        tags: ['geography'], summary: "调整边界: a grid's new shape; its neighbours give up what it takes and get what it gives up (the one it borders longest) (admin)",
        params: Type.Object({ id: Id }), querystring: EditQuery,
        body: Type.Object({ geometry: PolygonalSchema }, { additionalProperties: false }),
        response: EditAnswers,
      },
    },
    async (req, reply) => {
      const shape = polygonalGeoJson(req.body.geometry, 'body/geometry')
      let grid: GridRow
      return edit(req, reply, async () => (grid = await currentGrid(db, req.params.id)).villageId, async (tx) => {
        await assertInEdit(tx, [grid])
        return { action: 'reshape', summary: await reshapeGrid(tx, grid, await drawnShape(tx, shape, 'body/geometry')) }
      })
    },
  )

  app.post<{ Querystring: EditQuery; Body: { villageId: number; name: string; code: string; kind?: 'base' | 'exclusive'; geometry: PolygonalInput } }>(
    '/grids',
    {
      schema: {
        tags: ['geography'], summary: '新建网格 (专属网格 by default): drawn over the base grids, which give up what it covers (admin)',
        querystring: EditQuery,
        body: Type.Object({ villageId: Id, name: Name, code: Code, kind: Type.Optional(Kind), geometry: PolygonalSchema }, { additionalProperties: false }),
        response: EditAnswers,
      },
    },
    async (req, reply) => {
      const b = req.body
      const shape = polygonalGeoJson(b.geometry, 'body/geometry')
      return edit(req, reply, async () => b.villageId, async (tx) => ({
        action: 'create', summary: await carveGrid(tx, { name: b.name.trim(), code: b.code, kind: b.kind ?? 'exclusive' }, await drawnShape(tx, shape, 'body/geometry')),
      }))
    },
  )

  app.patch<{ Params: { id: number }; Body: GridChange }>(
    '/grids/:id',
    {
      schema: {
        tags: ['geography'], summary: "重命名 / 指定网格员: a grid's name, code, kind, its worker's account (one per grid) and card phone (admin)",
        params: Type.Object({ id: Id }),
        body: Type.Object({
          name: Type.Optional(Name), code: Type.Optional(Code), kind: Type.Optional(Kind),
          workerUserId: Type.Optional(Type.Union([Type.Null(), Id], { description: "a grid worker's account; null: none" })),
          workerPhone: Type.Optional(Type.String({ pattern: '^[0-9+ -]{0,20}$', description: "the phone on the grid's card" })),
        }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: GridCardSchema },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'grids.edit')
      const b = { ...req.body, ...(req.body.name !== undefined ? { name: req.body.name.trim() } : {}) }
      const { endedSessions, grid } = await db.transaction(async (tx) => {
        const grid = await currentGrid(tx, req.params.id)
        const done = await changeGrid(tx, grid, b)
        if (done.summary.length) {
          await writeAudit(tx, user, originOf(req), { action: 'gridEdit', reason: `grid ${grid.name} (${grid.code}) #${grid.id}: ${done.summary.join('; ')}` })
        }
        return { ...done, grid }
      })
      // the accounts whose grid changed sign in again: their scope is resolved at sign-in
      for (const s of endedSessions) {
        sessions.forgetUser(s.userId)
        endSessionRooms(app.io, s.hashes.map(sessionRoomOfHash))
      }
      return gridCard(db, grid.id)
    },
  )

  app.get<{ Querystring: { village: number } }>(
    '/grid-workers',
    {
      schema: {
        tags: ['geography'], summary: "grid workers' accounts the editor offers for a village's grids: the village's own and those without a grid (admin)",
        querystring: Type.Object({ village: Id }, { additionalProperties: false }),
        response: {
          200: Type.Array(Type.Object({
            id: Type.Integer(), username: Type.String(), displayName: Type.String(), gridId: Type.Union([Type.Integer(), Type.Null()]),
            gridName: Type.Union([Type.String(), Type.Null()]), gridRetired: Type.Boolean(),
          })),
        },
      },
    },
    async (req) => listWorkers(db, req.query.village),
  )
}

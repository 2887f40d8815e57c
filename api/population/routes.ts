import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { requirePermission } from '../access/policy.ts'
import { DateStr } from '../http/dates.ts'
import { assertResidentInScope } from '../access/scope.ts'
import { DEFAULT_IDENTITY_LIMITS, type IdentityLimits } from '../access/allowance.ts'
import { originOf } from '../access/audit.ts'
import { sensitiveItemKeys } from '../people/repository.ts'
import { residentHistory } from './history.ts'
import { ITEM_TYPES } from './items.ts'
import { createHousehold, mergeHousehold, splitHousehold } from './households.ts'
import { placeHousehold } from './placing.ts'
import { withProbes } from './identity-probes.ts'
import { populationWorkRoutes } from './worker-routes.ts'
import { createResident, lifeEvent, patchResident, type LifeEventType, type NewResident, type ResidentPatch } from './residents.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Day = DateStr()
const Name = Type.String({ minLength: 1, maxLength: 30 })
const IdNumber = Type.String({ minLength: 1, maxLength: 18, description: 'GB 11643: 17 digits and a check digit' })
const Gender = Type.Union([Type.Literal('男'), Type.Literal('女')])
const Relation = Type.String({ minLength: 1, maxLength: 10 })
const Phone = Type.String({ pattern: '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})?$' })
const Items = Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 60 }), Type.Number(), Type.Boolean(), Type.Null()]), { maxProperties: 30 })
const Created = Type.Object({ id: Type.Integer() })
/** a phone outbox's key: the same write sent again returns the first answer */
const ClientKey = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })

/**
 * 人口双实: residents and households written by the people who know them (grid workers in
 * their grid, village cadres in their village, admin), every change a history row.
 */
export const populationRoutes: FastifyPluginAsync<{ db: Db; identityLimits?: Partial<IdentityLimits> }> = async (app, { db, identityLimits }) => {
  const limits = { ...DEFAULT_IDENTITY_LIMITS, ...identityLimits }
  await app.register(populationWorkRoutes, { db })

  app.get(
    '/data-items',
    {
      schema: {
        tags: ['population'], summary: 'the catalogue of data items: label, department, whether sensitive, the value each takes',
        response: {
          200: Type.Array(Type.Object({
            key: Type.String(), label: Type.String(), departmentId: Type.Integer(), departmentName: Type.String(), sensitive: Type.Boolean(),
            type: Type.String(), choices: Type.Optional(Type.Array(Type.String())),
          })),
        },
      },
    },
    async (req) => {
      requirePermission(req, 'workOrders.read')
      const r = await db.query<{ key: string; label: string; departmentId: number; departmentName: string; sensitive: boolean }>(
        `SELECT i.key, i.label, i.department_id AS "departmentId", d.name AS "departmentName", i.sensitive
           FROM data_items i JOIN departments d ON d.id = i.department_id ORDER BY i.position`)
      return r.rows.map((i) => {
        const t = ITEM_TYPES[i.key]
        return { ...i, type: t?.type ?? 'column', ...(t?.type === 'choice' ? { choices: [...t.choices] } : {}) }
      })
    },
  )

  app.post<{ Body: NewResident }>(
    '/residents',
    {
      schema: {
        tags: ['population'], summary: 'register a resident in a household (a newborn, someone moving in); 201 { id }. A newborn (event birth) may come ' +
          'without idNumber (待登记户口), added later by PATCH when 户口 is registered',
        body: Type.Object(
          {
            householdId: Id, name: Name, idNumber: Type.Optional(IdNumber), gender: Gender, birthDate: Day, relation: Relation,
            phone: Type.Optional(Phone), partyMember: Type.Optional(Type.Boolean()), items: Type.Optional(Items),
            event: Type.Optional(Type.Union([Type.Literal('birth'), Type.Literal('moveIn'), Type.Literal('registration')])),
            eventDate: Type.Optional(Day), clientKey: Type.Optional(ClientKey),
          },
          { additionalProperties: false },
        ),
        response: { 201: Created, 200: Created },
      },
    },
    async (req, reply) => {
      const user = requirePermission(req, 'people.write')
      const { id, created } = await withProbes(db, user, { origin: originOf(req), limits }, () => createResident(db, req.body, user))
      return reply.code(created ? 201 : 200).send({ id })
    },
  )

  app.patch<{ Params: { id: number }; Body: ResidentPatch }>(
    '/residents/:id',
    {
      schema: {
        tags: ['population'], summary: "correct or update a resident's record (only the fields given); each change is a history row",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            name: Type.Optional(Name), idNumber: Type.Optional(IdNumber), gender: Type.Optional(Gender), birthDate: Type.Optional(Day),
            relation: Type.Optional(Relation), phone: Type.Optional(Type.Union([Type.Null(), Phone])), partyMember: Type.Optional(Type.Boolean()),
            items: Type.Optional(Items),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ id: Type.Integer(), changed: Type.Integer() }) },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.write')
      const write = () => patchResident(db, req.params.id, req.body, user)
      // only a new ID number or birth date is compared with what the register holds
      return req.body.idNumber !== undefined || req.body.birthDate !== undefined ? withProbes(db, user, { origin: originOf(req), limits }, write) : write()
    },
  )

  app.post<{ Params: { id: number }; Body: { type: LifeEventType; date: string; householdId?: number; note?: string; clientKey?: string } }>(
    '/residents/:id/events',
    {
      schema: {
        tags: ['population'], summary: 'a life event: birth, death, moveIn, moveOut, moveHousehold (death and moveOut deregister; the person stays in history)',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            type: Type.Union(['birth', 'death', 'moveIn', 'moveOut', 'moveHousehold'].map((t) => Type.Literal(t))),
            date: Day, householdId: Type.Optional(Id), note: Type.Optional(Type.String({ maxLength: 200 })), clientKey: Type.Optional(ClientKey),
          },
          { additionalProperties: false },
        ),
        response: { 200: Created },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.write')
      return withProbes(db, user, { origin: originOf(req), limits }, () => lifeEvent(db, req.params.id, req.body, user))
    },
  )

  app.get<{ Params: { id: number } }>(
    '/residents/:id/history',
    {
      schema: {
        tags: ['population'], summary: "every change to a resident's record: who, when, what, before → after (values masked)",
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            entries: Type.Array(Type.Object({
              id: Type.Integer(), at: Type.String(), actor: Type.String(), actorRole: Type.String(), kind: Type.String(),
              field: Type.Union([Type.String(), Type.Null()]), before: Type.Unknown(), after: Type.Unknown(),
              eventDate: Type.Union([Type.String(), Type.Null()]), note: Type.String(),
            })),
          }),
        },
      },
    },
    async (req) => {
      const user = requirePermission(req, 'people.history')
      await assertResidentInScope(db, user, req.params.id)
      return { entries: await residentHistory(db, req.params.id, await sensitiveItemKeys(db)) }
    },
  )

  const Place = { lon: Type.Number({ minimum: -180, maximum: 180 }), lat: Type.Number({ minimum: -90, maximum: 90 }) }
  const Address = Type.String({ minLength: 2, maxLength: 100 })
  const HouseNumber = Type.String({ minLength: 1, maxLength: 20 })
  app.post<{ Body: { lon: number; lat: number; address: string; houseNumber: string } }>(
    '/households',
    {
      schema: {
        tags: ['population'], summary: 'a new household at a point, snapped to the grid it lies in (which must be yours)',
        body: Type.Object({ ...Place, address: Address, houseNumber: HouseNumber }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.Integer(), gridId: Type.Integer() }) },
      },
    },
    async (req, reply) => reply.code(201).send(await createHousehold(db, req.body, requirePermission(req, 'people.write'))),
  )

  app.post<{ Params: { id: number }; Body: { residentIds: number[]; address: string; houseNumber: string; lon?: number; lat?: number } }>(
    '/households/:id/split',
    {
      schema: {
        tags: ['population'], summary: '分户: some members start a household of their own (at the same dwelling unless a point is given)',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            residentIds: Type.Array(Id, { minItems: 1, maxItems: 30 }), address: Address, houseNumber: HouseNumber,
            lon: Type.Optional(Place.lon), lat: Type.Optional(Place.lat),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer(), gridId: Type.Union([Type.Integer(), Type.Null()]) }) },
      },
    },
    async (req, reply) => reply.code(201).send(await splitHousehold(db, req.params.id, req.body, requirePermission(req, 'people.write'))),
  )

  app.put<{ Params: { id: number }; Body: { lon: number; lat: number; crs?: 'wgs84' | 'gcj02'; clientKey?: string } }>(
    '/households/:id/location',
    {
      schema: {
        tags: ['population'],
        summary: '落图: places (or moves) a household at a point, which must lie in a current grid of yours (a grid worker: her grid, and she may ' +
          'place a household of her village that has no grid yet); the household takes that grid; the same point again, or the same clientKey, ' +
          'changes nothing; crs gcj02 for a point from 高德/腾讯 maps',
        params: Type.Object({ id: Id }),
        body: Type.Object(
          { ...Place, crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])), clientKey: Type.Optional(ClientKey) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            id: Type.Integer(), gridId: Type.Integer(), villageId: Type.Integer(), location: Type.Tuple([Type.Number(), Type.Number()]), changed: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => placeHousehold(db, req.params.id, req.body, requirePermission(req, 'people.write')),
  )

  app.post<{ Params: { id: number }; Body: { fromHouseholdId: number } }>(
    '/households/:id/merge',
    {
      schema: {
        tags: ['population'], summary: '合户: the members of another household join this one',
        params: Type.Object({ id: Id }),
        body: Type.Object({ fromHouseholdId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.Integer(), moved: Type.Integer() }) },
      },
    },
    async (req) => mergeHousehold(db, req.params.id, req.body.fromHouseholdId, requirePermission(req, 'people.write')),
  )
}

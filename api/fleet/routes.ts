import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Db } from '../db/types.ts'
import { can, requirePermission } from '../access/policy.ts'
import { maskPhone } from '../privacy/mask.ts'
import { VEHICLE_KINDS, type RegisteredVehicle } from '../../geo/fleet.ts'
import type { AuthUser } from '../auth/roles.ts'
import { createVehicle, listRegisteredVehicles, patchVehicle, retireVehicle, type VehicleInput } from './vehicles.ts'
import {
  createCollectionPoint, createTransferStation, listCollectionPoints, listTransferStations, patchCollectionPoint, patchTransferStation,
  retireCollectionPoint, retireTransferStation, type PointInput,
} from './facilities.ts'

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' })
const Kind = Type.Union(VEHICLE_KINDS.map((k) => Type.Literal(k.value)), { description: VEHICLE_KINDS.map((k) => `${k.value} ${k.label}`).join(', ') })
const Phone = Type.String({ pattern: '^[0-9-]{7,20}$', description: "the driver's mobile or landline (digits and -)" })
const Lon = Type.Number({ minimum: -180, maximum: 180 })
const Lat = Type.Number({ minimum: -90, maximum: 90 })
const Retired = Type.Object({ retired: Type.Integer({ minimum: 0, maximum: 1, default: 0 }) }, { additionalProperties: false })

const Vehicle = Type.Object({
  id: Type.Integer(), plate: Type.String(), kind: Type.String(), name: Type.String(), driverName: Type.String(), driverPhone: Nullable(Type.String()),
  villageId: Nullable(Type.Integer()), villageName: Nullable(Type.String()), townId: Nullable(Type.Integer()), townName: Nullable(Type.String()),
  terminal: Nullable(Type.String()), retiredAt: Nullable(Type.String()),
})
const CollectionPoint = Type.Object({
  id: Type.Integer(), name: Type.String(), lon: Type.Number(), lat: Type.Number(), villageId: Type.Integer(), villageName: Type.String(),
  gridId: Type.Integer(), gridName: Type.String(), bins: Type.Integer(), retiredAt: Nullable(Type.String()),
})
const Station = Type.Object({ id: Type.Integer(), name: Type.String(), lon: Type.Number(), lat: Type.Number(), retiredAt: Nullable(Type.String()) })

const VehicleBody = {
  plate: Type.String({ maxLength: 20, description: '鲁Q·D1234, 鲁QD1234 or a new-energy 鲁Q·D12345; blanks and dots do not count' }),
  kind: Kind, name: Text(40), driverName: Text(20), driverPhone: Type.Optional(Nullable(Phone)),
  villageId: Type.Optional(Nullable(Id)),
}
const PointBody = { name: Text(40), lon: Lon, lat: Lat, bins: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: '垃圾桶数' })) }

/** a driver's phone is for the people who call drivers; fleet.manage roles are those today, the mask keeps it so if that changes */
const shown = (user: AuthUser, v: RegisteredVehicle): RegisteredVehicle =>
  can(user, 'vehicles.driverPhones') || v.driverPhone === null ? v : { ...v, driverPhone: maskPhone(v.driverPhone) }

/**
 * 车辆与设施: the fleet register (trucks, collection points, transfer stations), kept by the
 * command center. Retiring keeps a row and its history; nothing here deletes.
 */
export const fleetRegisterRoutes: FastifyPluginAsync<{ db: Db }> = async (app, { db }) => {
  const manage = { onRequest: async (req: FastifyRequest) => void requirePermission(req, 'fleet.manage') }
  const user = (req: FastifyRequest) => requirePermission(req, 'fleet.manage')

  app.get<{ Querystring: { retired: number } }>('/fleet/vehicles', {
    ...manage,
    schema: {
      tags: ['fleet'], summary: "the register's trucks (retired=1: the retired ones) in your reach: a town's account its town's and the county's",
      querystring: Retired, response: { 200: Type.Array(Vehicle) },
    },
  }, async (req) => {
    const u = user(req)
    return (await listRegisteredVehicles(db, u, req.query.retired === 1)).map((v) => shown(u, v))
  })

  app.post<{ Body: VehicleInput }>('/fleet/vehicles', {
    ...manage,
    schema: {
      tags: ['fleet'],
      summary: 'register a truck (登记车辆): 400 invalid_plate, 409 plate_taken (a truck on the road has that plate); it shows on the wall and the desk at once, and a terminal can be bound to it',
      body: Type.Object(VehicleBody, { additionalProperties: false }), response: { 201: Vehicle },
    },
  }, async (req, reply) => {
    const u = user(req)
    return reply.code(201).send(shown(u, await createVehicle(db, u, trimmed(req.body))))
  })

  app.patch<{ Params: { id: number }; Body: Partial<VehicleInput> }>('/fleet/vehicles/:id', {
    ...manage,
    schema: {
      tags: ['fleet'], summary: 'edit a truck: only what is given changes (villageId null: the county\'s or your town\'s fleet)',
      params: Type.Object({ id: Id }), body: Type.Partial(Type.Object(VehicleBody), { additionalProperties: false }), response: { 200: Vehicle },
    },
  }, async (req) => {
    const u = user(req)
    return shown(u, await patchVehicle(db, u, req.params.id, trimmed(req.body)))
  })

  app.post<{ Params: { id: number } }>('/fleet/vehicles/:id/retire', {
    ...manage,
    schema: {
      tags: ['fleet'],
      summary: '停用: the truck leaves lists, map, dispatch and ingest, its history stays; 409 vehicle_has_terminal (unbind first), vehicle_dispatched (cancel first)',
      params: Type.Object({ id: Id }), response: { 200: Vehicle },
    },
  }, async (req) => {
    const u = user(req)
    return shown(u, await retireVehicle(db, u, req.params.id))
  })

  app.get<{ Querystring: { retired: number } }>('/fleet/collection-points', {
    ...manage,
    schema: { tags: ['fleet'], summary: 'collection points (收集点) in your scope', querystring: Retired, response: { 200: Type.Array(CollectionPoint) } },
  }, async (req) => listCollectionPoints(db, user(req), req.query.retired === 1))

  app.post<{ Body: PointInput }>('/fleet/collection-points', {
    ...manage,
    schema: {
      tags: ['fleet'], summary: 'a collection point at a point (WGS-84), in the village and grid there (422 outside_grids; 403 another town\'s)',
      body: Type.Object(PointBody, { additionalProperties: false }), response: { 201: CollectionPoint },
    },
  }, async (req, reply) => reply.code(201).send(await createCollectionPoint(db, user(req), { ...req.body, name: req.body.name.trim() })))

  app.patch<{ Params: { id: number }; Body: Partial<PointInput> }>('/fleet/collection-points/:id', {
    ...manage,
    schema: {
      tags: ['fleet'], summary: 'rename, move or re-count a collection point',
      params: Type.Object({ id: Id }), body: Type.Partial(Type.Object(PointBody), { additionalProperties: false }), response: { 200: CollectionPoint },
    },
  }, async (req) => patchCollectionPoint(db, user(req), req.params.id, { ...req.body, name: req.body.name?.trim() }))

  app.post<{ Params: { id: number } }>('/fleet/collection-points/:id/retire', {
    ...manage,
    schema: { tags: ['fleet'], summary: '停用: off the map and out of dispatch; past orders and stops keep it', params: Type.Object({ id: Id }), response: { 200: CollectionPoint } },
  }, async (req) => retireCollectionPoint(db, user(req), req.params.id))

  app.get<{ Querystring: { retired: number } }>('/fleet/transfer-stations', {
    ...manage,
    schema: { tags: ['fleet'], summary: 'transfer stations (转运站)', querystring: Retired, response: { 200: Type.Array(Station) } },
  }, async (req) => listTransferStations(db, req.query.retired === 1))

  const { bins: _bins, ...StationBody } = PointBody
  app.post<{ Body: PointInput }>('/fleet/transfer-stations', {
    ...manage,
    schema: { tags: ['fleet'], summary: "a transfer station (the county's accounts; a town's 403)", body: Type.Object(StationBody, { additionalProperties: false }), response: { 201: Station } },
  }, async (req, reply) => reply.code(201).send(await createTransferStation(db, user(req), { ...req.body, name: req.body.name.trim() })))

  app.patch<{ Params: { id: number }; Body: Partial<PointInput> }>('/fleet/transfer-stations/:id', {
    ...manage,
    schema: {
      tags: ['fleet'], summary: 'rename or move a transfer station',
      params: Type.Object({ id: Id }), body: Type.Partial(Type.Object(StationBody), { additionalProperties: false }), response: { 200: Station },
    },
  }, async (req) => patchTransferStation(db, user(req), req.params.id, { ...req.body, name: req.body.name?.trim() }))

  app.post<{ Params: { id: number } }>('/fleet/transfer-stations/:id/retire', {
    ...manage,
    schema: { tags: ['fleet'], summary: '停用 a transfer station', params: Type.Object({ id: Id }), response: { 200: Station } },
  }, async (req) => retireTransferStation(db, user(req), req.params.id))
}

function trimmed<T extends Partial<VehicleInput>>(b: T): T {
  return { ...b, ...(b.name !== undefined ? { name: b.name.trim() } : {}), ...(b.driverName !== undefined ? { driverName: b.driverName.trim() } : {}) }
}

import { Type } from 'typebox'

// Response schemas of the people routes: also a whitelist, so a column added to a query
// never reaches a screen by accident. What each role gets inside them is decided by
// api/access/resident-view.ts.
export const ResidentSchema = Type.Object({
  id: Type.Integer(),
  householdId: Type.Integer(),
  gridId: Type.Integer(),
  villageId: Type.Integer(),
  view: Type.Union([Type.Literal('card'), Type.Literal('masked'), Type.Literal('full')]),
  name: Type.String(),
  gender: Type.String(),
  relation: Type.String(),
  partyMember: Type.Boolean(),
  ageBand: Type.String(),
  age: Type.Optional(Type.Integer()),
  birthDate: Type.Optional(Type.String()),
  idNumber: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  items: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  careGroups: Type.Optional(Type.Array(Type.String())),
  keyGroups: Type.Optional(Type.Array(Type.String())),
  status: Type.Union([Type.Literal('active'), Type.Literal('death'), Type.Literal('moveOut')]),
  statusSince: Type.Optional(Type.String()),
  masked: Type.Boolean(),
})

export const HouseholdSchema = Type.Object({
  id: Type.Integer(),
  gridId: Type.Integer(),
  villageId: Type.Integer(),
  address: Type.String(),
  location: Type.Tuple([Type.Number(), Type.Number()]),
  members: Type.Array(ResidentSchema),
})

export const AuditSchema = Type.Object({
  entries: Type.Array(Type.Object({
    id: Type.Integer(), at: Type.String(), userId: Type.Integer(), username: Type.String(), role: Type.String(), action: Type.String(),
    residentId: Type.Union([Type.Integer(), Type.Null()]), workOrderId: Type.Union([Type.Integer(), Type.Null()]),
    reason: Type.String(), ip: Type.String(), userAgent: Type.String(),
  })),
})

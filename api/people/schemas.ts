import { Type } from 'typebox'

// Response schemas of the people routes: also a whitelist, so a column added to a query
// never reaches a screen by accident. What each role gets inside them is decided by
// api/access/resident-view.ts.
export const ResidentSchema = Type.Object({
  id: Type.Integer(),
  householdId: Type.Integer(),
  /** null while the household waits for its grid (待落图) */
  gridId: Type.Union([Type.Integer(), Type.Null()]),
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
  /** a newborn whose 户口 (and so ID number) is not registered yet: staff views only */
  idPending: Type.Optional(Type.Literal(true)),
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
  /** null while it waits for its grid (待落图) */
  gridId: Type.Union([Type.Integer(), Type.Null()]),
  villageId: Type.Integer(),
  /** the 户号, when the household came from 公安's register */
  code: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(),
  /** null while it waits to be placed (待落图) */
  location: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]),
  members: Type.Array(ResidentSchema),
})

export const AuditSchema = Type.Object({
  entries: Type.Array(Type.Object({
    id: Type.Integer(), at: Type.String(), userId: Type.Integer(), username: Type.String(), role: Type.String(), action: Type.String(),
    residentId: Type.Union([Type.Integer(), Type.Null()]), workOrderId: Type.Union([Type.Integer(), Type.Null()]),
    disputeId: Type.Union([Type.Integer(), Type.Null()]),
    reason: Type.String(), ip: Type.String(), userAgent: Type.String(),
    kind: Type.String({ description: 'personal, exports, accounts, walls, settings or other' }),
  })),
})

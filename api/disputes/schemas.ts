import { Type } from 'typebox'
import { DISPUTE_OUTCOMES, DISPUTE_STAGES } from '../../geo/disputes.ts'

// Requests and answers of /api/disputes (geo/disputes.ts). The answers are also the whitelist
// of what leaves the API: a field added to a query and not here is not sent.
const Int = Type.Integer()
const Str = Type.String()
const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 })
const literalUnion = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))
export const Stage = literalUnion(DISPUTE_STAGES)
export const Outcome = literalUnion(DISPUTE_OUTCOMES)
/** a short name of a dispute's kind (邻里纠纷, 宅基地 …) */
export const DisputeType = Type.String({ minLength: 2, maxLength: 20, pattern: '\\S' })
/** a key the phone's offline queue gives each registration, so a replay makes no second dispute */
export const ClientKey = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })

export const PartyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 30, pattern: '\\S' }),
    phone: Type.Optional(Type.String({ pattern: '^[0-9+-]{0,20}$' })),
  },
  { additionalProperties: false },
)

const HistoryEntry = Type.Object({
  id: Int, at: Str, actor: Str, actorRole: Str, stage: Stage, outcome: Type.Union([Outcome, Type.Null()]), mediator: Str, note: Str,
  detail: Type.Object({
    from: Type.Optional(Str),
    type: Type.Optional(Type.Object({ from: Str, to: Str })),
    sourceOrderId: Type.Optional(Int),
    orderId: Type.Optional(Int),
    departmentId: Type.Optional(Int),
  }),
})

const DisputeFields = {
  id: Int, gridId: Int, gridName: Str, villageId: Int, villageName: Str, type: Str, summary: Str,
  stage: Stage, outcome: Type.Union([Outcome, Type.Null()]), mediator: Str,
  parties: Type.Array(Type.Object({ name: Str, phone: Str })), unmasked: Type.Boolean(),
  reporter: Str, reportedAt: Str, stageSince: Str, closedAt: Nullable(Str),
  sourceOrderId: Nullable(Int), referredOrderId: Nullable(Int), referredDepartmentId: Nullable(Int), referredDepartmentName: Nullable(Str),
}

export const DisputeSchema = Type.Object({ ...DisputeFields, history: Type.Array(HistoryEntry), actions: Type.Array(Stage) })

export const DisputeListSchema = Type.Object({
  items: Type.Array(Type.Object(DisputeFields)),
  next: Nullable(Int),
  counts: Type.Object(Object.fromEntries(DISPUTE_STAGES.map((s) => [s, Int]))),
})

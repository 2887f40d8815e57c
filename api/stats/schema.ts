import { Type } from 'typebox'

// GET /api/stats as a response schema (geo/stats.ts): also the whitelist of what any role,
// a wall included, may receive of the figures; a field added to the figures and not here is
// not sent.
const Int = Type.Integer()
const MaybeInt = Type.Union([Type.Integer(), Type.Null()])
const Str = Type.String()
const CountBy = Type.Object({ key: Str, count: Int })
const ScopeKind = Type.Union([Type.Literal('county'), Type.Literal('town'), Type.Literal('village'), Type.Literal('grid')])
const Place = Type.Object({ kind: ScopeKind, id: MaybeInt, name: Str })
const Attendance = Type.Object({ expected: Int, attended: Int })

export const StatsSchema = Type.Object({
  coarse: Type.Union([Type.Object({ below: Int, roundTo: Int }), Type.Null()], {
    description: 'set when the sensitive counts are coarsened for a wall: null below `below`, otherwise rounded to `roundTo`',
  }),
  scope: Type.Object({ kind: ScopeKind, id: MaybeInt, name: Str, path: Type.Array(Place) }),
  referenceMonth: Type.Union([Str, Type.Null()]),
  population: Type.Object({
    households: Int, residents: Int, male: Int, female: Int, ageBands: Type.Array(CountBy), partyMembers: Int,
    careGroups: Type.Array(Type.Object({ key: Str, count: MaybeInt })),
    keyGroupTotal: MaybeInt,
    keyGroups: Type.Optional(Type.Array(CountBy)),
    dataItems: Int, departments: Int,
  }),
  party: Type.Union([Type.Object({
    members: Int,
    attendance: Type.Array(Type.Object({ month: Str, activityDay: Attendance, threeMeetings: Attendance })),
    stars: Type.Array(Type.Object({ villageId: Int, name: Str, year: Int, stars: Int, reasons: Type.Array(Str) })),
  }), Type.Null()]),
  affairs: Type.Union([Type.Object({
    fundsByCategory: Type.Array(Type.Object({ category: Str, amountYuan: Type.Number(), recipients: Int })),
    fundsByVillage: Type.Array(Type.Object({ villageId: Int, name: Str, amountYuan: Type.Number() })),
    fundsTotalYuan: Type.Number(),
    fundsMonths: Type.Union([Type.Object({ from: Str, to: Str }), Type.Null()]),
    notices: Type.Array(Type.Object({ id: Int, villageName: Str, category: Str, title: Str, publishedAt: Str })),
  }), Type.Null()]),
  health: Type.Union([Type.Object({
    month: Str, eligible: Int, medicalInsured: Int, pensionEligible: Int, pensionInsured: Int, vaccinated: Int,
    byVillage: Type.Array(Type.Object({ villageId: Int, name: Str, eligible: Int, medicalInsured: Int, pensionEligible: Int, pensionInsured: Int, vaccinated: Int })),
  }), Type.Null()]),
  management: Type.Object({
    villages: Int, grids: Int,
    cameras: Type.Object({ total: Int, online: Int, byKind: Type.Array(CountBy) }),
    vehicles: Int, collectionPoints: Int,
    ledgers: Type.Object({ people: MaybeInt, overdue: MaybeInt }),
  }),
  law: Type.Object({
    disputes: Int, byType: Type.Array(CountBy), byStatus: Type.Array(CountBy), resolved: Int, closed: Int,
    monthly: Type.Array(Type.Object({ month: Str, reported: Int, resolved: Int })),
  }),
})

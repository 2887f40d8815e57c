// The figures of the five screen modules for one scope, as GET /api/stats returns them.
export type ScopeKind = 'county' | 'town' | 'village' | 'grid'

export interface CountBy {
  key: string
  count: number
}

/** A count a wall may get coarsened: null when below `Stats.coarse.below` (shown as "<5") */
export interface SmallCountBy {
  key: string
  count: number | null
}

export interface Stats {
  /**
   * Set when the sensitive counts (care groups, the key-group total, ledger people) are
   * coarsened: a wall at grid or village scope gets them rounded to `roundTo` and null below
   * `below`, so no one person shows in a count. null: exact counts.
   */
  coarse: { below: number; roundTo: number } | null
  scope: { kind: ScopeKind; id: number | null; name: string; path: { kind: ScopeKind; id: number | null; name: string }[] }
  referenceMonth: string | null
  population: {
    households: number
    residents: number
    male: number
    female: number
    ageBands: CountBy[]
    partyMembers: number
    careGroups: SmallCountBy[]
    keyGroupTotal: number | null
    /** per category only for roles that may see key-group data */
    keyGroups?: CountBy[]
    dataItems: number
    departments: number
  }
  party: {
    members: number
    attendance: { month: string; activityDay: { expected: number; attended: number }; threeMeetings: { expected: number; attended: number } }[]
    /** each village's latest review: its stars by the rule of geo/stars.ts and the reasons for them */
    stars: { villageId: number; name: string; year: number; stars: number; reasons: string[] }[]
  } | null
  affairs: {
    fundsByCategory: { category: string; amountYuan: number; recipients: number }[]
    fundsByVillage: { villageId: number; name: string; amountYuan: number }[]
    fundsTotalYuan: number
    /** the 12 months the funds figures cover, 'YYYY-MM', ending at the latest month 民政 reported (null: no figures yet) */
    fundsMonths: { from: string; to: string } | null
    notices: { id: number; villageName: string; category: string; title: string; publishedAt: string }[]
  } | null
  /**
   * 疫网即办 from residents' items as of today (`month`: this month): `eligible` is the registered
   * residents (医保's and 疫苗's base), `pensionEligible` those aged 16 and over (养老's); per
   * village of the scope (one row at grid scope: the grid's people)
   */
  health: {
    month: string
    eligible: number
    medicalInsured: number
    pensionEligible: number
    pensionInsured: number
    vaccinated: number
    byVillage: { villageId: number; name: string; eligible: number; medicalInsured: number; pensionEligible: number; pensionInsured: number; vaccinated: number }[]
  } | null
  management: {
    villages: number
    grids: number
    cameras: { total: number; online: number; byKind: CountBy[] }
    vehicles: number
    collectionPoints: number
    /** ledger people (台账) in the scope, and how many are past their follow-up date: numbers only, never names */
    ledgers: { people: number | null; overdue: number | null }
  }
  law: {
    disputes: number
    byType: CountBy[]
    byStatus: CountBy[]
    resolved: number
    closed: number
    monthly: { month: string; reported: number; resolved: number }[]
  }
}


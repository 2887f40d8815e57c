import { describe, expect, it } from 'vitest'
import { inboxTabsFor, navFor, placeFiltersFor } from './roles.ts'

const views = (role: string, department?: string) => navFor(role, department).map((n) => n.view)

describe("the desk's menu", () => {
  it('offers 民生资金 to 民政局 alone of the departments, as the server admits', () => {
    expect(views('department', '民政局')).toEqual(['inbox', 'welfare', 'deptimport'])
    expect(views('department', '卫健局')).toEqual(['inbox', 'deptimport'])
    // before the departments' names are read
    expect(views('department')).toEqual(['inbox', 'deptimport'])
  })
  it('offers it to the admin, leaders and cadres whatever their department', () => {
    for (const role of ['admin', 'leader', 'villageCadre']) expect(views(role), role).toContain('welfare')
    for (const role of ['dispatcher', 'gridWorker', 'display']) expect(views(role), role).not.toContain('welfare')
  })
})

describe("the inbox's tabs and place filters by role", () => {
  it('offer 待派单 and 待审核 only to those who dispatch and review, 待回复 only to the command center', () => {
    for (const role of ['admin', 'dispatcher']) expect(inboxTabsFor(role), role).toEqual(['toDispatch', 'toHandle', 'toReview', 'toReply', 'overdue', 'dissatisfied', 'all'])
    expect(inboxTabsFor('leader')).toEqual(['toDispatch', 'toHandle', 'toReview', 'overdue', 'dissatisfied', 'all'])
    for (const role of ['villageCadre', 'gridWorker', 'department']) expect(inboxTabsFor(role), role).toEqual(['toHandle', 'overdue', 'all'])
  })
  it('keep a cadre to her village’s grids and a grid worker to her grid', () => {
    expect(placeFiltersFor('villageCadre')).toEqual({ town: false, village: false, grid: true })
    expect(placeFiltersFor('gridWorker')).toEqual({ town: false, village: false, grid: false })
    for (const role of ['admin', 'leader', 'dispatcher', 'department']) expect(placeFiltersFor(role), role).toEqual({ town: true, village: true, grid: true })
  })
})

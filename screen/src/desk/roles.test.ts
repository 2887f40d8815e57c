import { describe, expect, it } from 'vitest'
import { navFor } from './roles.ts'

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

import { describe, expect, it } from 'vitest'
import { blankTour, draftProblem, stepScope, toTours, tourDraft } from './tours.ts'

describe('tour drafts', () => {
  it('go to the API and back unchanged, a grid step finding its village', () => {
    const saved = {
      id: 1, name: '夜班巡检', updatedBy: 'admin', updatedAt: '2026-11-30T00:00:00Z',
      steps: [{ scope: 'town', dwellSeconds: 30 }, { scope: 'village:3', dwellSeconds: 20 }, { scope: 'grid:41', dwellSeconds: 15 }, { scope: 'vehicle:7', dwellSeconds: 60 }],
      schedule: { nightStart: '22:00', nightEnd: '06:00', dim: 0.35 },
    }
    const d = tourDraft(saved, (g) => (g === 41 ? 3 : null))
    expect(d.steps[2]).toMatchObject({ kind: 'grid', gridId: 41, villageId: 3 })
    expect(d.dimPercent).toBe(35)
    expect(toTours([d])).toEqual([{ name: saved.name, steps: saved.steps, schedule: saved.schedule }])
  })

  it("keep a county's steps: the county and a named town, beside the wall's own town", () => {
    const saved = {
      id: 2, name: '县屏', updatedBy: 'admin', updatedAt: '2026-12-01T00:00:00Z',
      steps: [{ scope: 'county', dwellSeconds: 40 }, { scope: 'town:3', dwellSeconds: 30 }, { scope: 'town', dwellSeconds: 20 }],
      schedule: null,
    }
    const d = tourDraft(saved, () => null)
    expect(d.steps.map((x) => [x.kind, x.townId])).toEqual([['county', null], ['town', 3], ['town', null]])
    expect(toTours([d])).toEqual([{ name: saved.name, steps: saved.steps, schedule: null }])
  })

  it('say what stops a save', () => {
    const a = blankTour('大厅')
    expect(draftProblem([a])).toBeNull()
    expect(draftProblem([a, blankTour('大厅')])).toMatch(/重复/)
    expect(draftProblem([blankTour('  ')])).toMatch(/不能为空/)
    const b = blankTour('村里')
    b.steps[0] = { ...b.steps[0], kind: 'grid', villageId: 2 }
    expect(stepScope(b.steps[0])).toBeNull()
    expect(draftProblem([b])).toMatch(/第 1 步未选网格/)
    const c = blankTour('快')
    c.steps[0].dwellSeconds = 2
    expect(draftProblem([c])).toMatch(/5–3600 秒/)
    const n = blankTour('夜')
    n.night = true
    n.nightStart = '24:00'
    expect(draftProblem([n])).toMatch(/HH:MM/)
  })

  it('leave the schedule out without night mode, and clamp the dimming to 80 %', () => {
    const d = blankTour('白天')
    expect(toTours([d])[0].schedule).toBeNull()
    d.night = true
    d.dimPercent = 95
    expect(toTours([d])[0].schedule).toEqual({ nightStart: '22:00', nightEnd: '06:00', dim: 0.8 })
  })
})

import { describe, expect, it } from 'vitest'
import { actorText } from './actor.ts'

describe('who took a step', () => {
  it('reads as a name and a unit, never a login', () => {
    expect(actorText({ actor: 'cadre-3', actorName: '王某', actorUnit: '东王庄村委会' })).toBe('王某（东王庄村委会）')
    expect(actorText({ actor: 'dept-2', actorName: '住建局报到账号', actorUnit: '住建局' })).toBe('住建局报到账号')
    expect(actorText({ actor: '#resident', actorName: null, actorUnit: null })).toBe('群众')
    expect(actorText({ actor: 'system', actorName: null, actorUnit: null })).toMatch(/^系统/)
    // an account gone since: nothing known, the caller shows what it has
    expect(actorText({ actor: 'old-user', actorName: null, actorUnit: null })).toBeNull()
  })
})

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FIXTURES_DIR } from './fixtures.ts'
import { isFreshDataDir, seedKey, seedPath } from './seed.ts'

const dir = mkdtempSync(join(tmpdir(), 'shuzhi-seed-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('PGlite seed', () => {
  it('is keyed by the fixtures: another fixture set never starts from this seed', () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, 'manifest.json'), 'utf8')) as { seed: number }
    expect(seedKey()).toBe(seedKey(FIXTURES_DIR))
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, seed: manifest.seed + 1 }))
    expect(seedKey(dir)).not.toBe(seedKey())
    expect(seedPath(dir)).not.toBe(seedPath())
  })

  it('is only for a data directory PGlite never opened', () => {
    expect(isFreshDataDir(dir)).toBe(true)
    writeFileSync(join(dir, 'PG_VERSION'), '17\n')
    expect(isFreshDataDir(dir)).toBe(false)
  })
})

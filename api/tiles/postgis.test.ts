import { expect, it } from 'vitest'
import { tilesPerStatement } from './postgis.ts'

it('spreads a burst of tiles over several statements, never fewer than 4 nor more than 32 tiles each', () => {
  expect(tilesPerStatement(1)).toBe(4) // one statement takes the lone tile
  expect(tilesPerStatement(4)).toBe(4)
  expect(tilesPerStatement(24)).toBe(4) // a wall's view: 6 statements, rendered side by side
  expect(tilesPerStatement(64)).toBe(8)
  expect(tilesPerStatement(10_000)).toBe(32)
})

import type { Queryable } from '../db/types.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { maskPhone } from '../privacy/mask.ts'
import { revokeUserSessions } from '../users/repository.ts'
import type { GridRow } from './edit-table.ts'

/**
 * A grid's name, code, kind and worker (网格员). One worker per grid: the account given a grid
 * leaves its previous grid, and the grid's previous worker keeps her account without a grid
 * (待分配) until she is given another. The grid's card on the wall (grid_worker_name/phone)
 * follows the account's name.
 */

export interface GridCard {
  id: number
  villageId: number
  code: string
  name: string
  kind: 'base' | 'exclusive'
  households: number
  residents: number
  worker: { userId: number; username: string; displayName: string } | null
  workerName: string
  /** masked, as every reader gets it */
  workerPhone: string
}

export async function gridCard(db: Queryable, id: number): Promise<GridCard> {
  const r = await db.query<{
    id: number; village_id: number; code: string; name: string; kind: 'base' | 'exclusive'; households: number; residents: number
    user_id: number | null; username: string | null; display_name: string | null; worker_name: string; worker_phone: string
  }>(
    `SELECT g.id, g.village_id, g.code, g.name, g.kind, coalesce(ru.households, 0) AS households, coalesce(ru.residents, 0) AS residents,
            u.id AS user_id, u.username, u.display_name, g.grid_worker_name AS worker_name, g.grid_worker_phone AS worker_phone
       FROM grids g LEFT JOIN grid_rollup ru ON ru.grid_id = g.id
       LEFT JOIN LATERAL (SELECT id, username, display_name FROM users WHERE role = 'gridWorker' AND grid_id = g.id ORDER BY id LIMIT 1) u ON true
      WHERE g.id = $1`, [id])
  const g = r.rows[0]
  if (!g) throw notFound(`grid ${id}`)
  return {
    id: g.id, villageId: g.village_id, code: g.code, name: g.name, kind: g.kind, households: g.households, residents: g.residents,
    worker: g.user_id === null ? null : { userId: g.user_id, username: g.username!, displayName: g.display_name! },
    workerName: g.worker_name, workerPhone: maskPhone(g.worker_phone),
  }
}

export interface WorkerAccount {
  id: number
  username: string
  displayName: string
  gridId: number | null
  gridName: string | null
  /** her grid was retired (merged away, no longer in a re-import) */
  gridRetired: boolean
}

/** The grid-worker accounts the editor offers for a village's grids: its own (any grid of it) and those without a grid. */
export async function listWorkers(db: Queryable, villageId: number): Promise<WorkerAccount[]> {
  const r = await db.query<{ id: number; username: string; display_name: string; grid_id: number | null; grid_name: string | null; retired: boolean }>(
    `SELECT u.id, u.username, u.display_name, u.grid_id, g.name AS grid_name, coalesce(g.retired_at IS NOT NULL, false) AS retired
       FROM users u LEFT JOIN grids g ON g.id = u.grid_id
      WHERE u.role = 'gridWorker' AND NOT u.disabled AND (u.grid_id IS NULL OR g.village_id = $1)
      ORDER BY u.grid_id IS NOT NULL, u.id LIMIT 1000`, [villageId])
  return r.rows.map((u) => ({ id: u.id, username: u.username, displayName: u.display_name, gridId: u.grid_id, gridName: u.grid_name, gridRetired: u.retired }))
}

export interface GridChange {
  name?: string
  code?: string
  kind?: 'base' | 'exclusive'
  /** an existing grid worker's account; null: the grid has none */
  workerUserId?: number | null
  /** the phone the grid's card shows (the accounts table keeps none) */
  workerPhone?: string
}

/** The change written; the accounts whose grid changed lose their sessions (their scope is resolved at sign-in). */
export async function changeGrid(tx: Queryable, grid: GridRow, c: GridChange): Promise<{ summary: string[]; endedSessions: { userId: number; hashes: string[] }[] }> {
  const summary: string[] = []
  if (c.name !== undefined && c.name !== grid.name) {
    const twin = await tx.query('SELECT 1 FROM grids WHERE village_id = $1 AND retired_at IS NULL AND name = $2 AND id <> $3', [grid.villageId, c.name, grid.id])
    if (twin.rows.length) throw new HttpError(409, `body/name: the village has another grid named ${c.name}`, 'grid_name_taken')
    summary.push(`name ${grid.name} → ${c.name}`)
  }
  if (c.code !== undefined && c.code !== grid.code) {
    const twin = await tx.query<{ name: string }>('SELECT name FROM grids WHERE code = $1 AND id <> $2', [c.code, grid.id])
    if (twin.rows.length) throw new HttpError(409, `body/code ${c.code} is ${twin.rows[0].name}'s code (codes are unique in the county, retired grids keep theirs)`, 'grid_code_taken')
    summary.push(`code ${grid.code} → ${c.code}`)
  }
  if (c.kind !== undefined && c.kind !== grid.kind) summary.push(`kind ${grid.kind} → ${c.kind}`)
  if (summary.length) {
    await tx.query('UPDATE grids SET name = coalesce($2, name), code = coalesce($3, code), kind = coalesce($4, kind) WHERE id = $1',
      [grid.id, c.name ?? null, c.code ?? null, c.kind ?? null])
  }

  const moved = new Set<number>()
  if (c.workerUserId !== undefined) {
    const w = c.workerUserId === null ? null : await tx.query<{ id: number; username: string; display_name: string; role: string; disabled: boolean; grid_id: number | null }>(
      'SELECT id, username, display_name, role, disabled, grid_id FROM users WHERE id = $1 FOR UPDATE', [c.workerUserId]).then((r) => r.rows[0])
    if (w === undefined) throw new HttpError(400, `body/workerUserId ${c.workerUserId} is no account`, 'worker_unknown')
    if (w && w.role !== 'gridWorker') throw new HttpError(400, `body/workerUserId: ${w.username} is not a grid worker's account`, 'worker_not_grid_worker')
    if (w?.disabled) throw new HttpError(400, `body/workerUserId: ${w.username} is disabled`, 'worker_disabled')
    const before = await tx.query<{ id: number; username: string }>(
      `UPDATE users SET grid_id = NULL WHERE role = 'gridWorker' AND grid_id = $1 AND id IS DISTINCT FROM $2 RETURNING id, username`, [grid.id, w?.id ?? null])
    for (const u of before.rows) moved.add(u.id)
    if (before.rows.length) summary.push(`worker unbound: ${before.rows.map((u) => u.username).join(', ')}`)
    if (w && w.grid_id !== grid.id) {
      await tx.query('UPDATE users SET grid_id = $2 WHERE id = $1', [w.id, grid.id])
      moved.add(w.id)
      summary.push(`worker: ${w.username}${w.grid_id ? ` (from grid #${w.grid_id})` : ''}`)
      // her previous grid has no worker now (or, on data from before one-per-grid, its other one)
      if (w.grid_id !== null) {
        await tx.query(
          `UPDATE grids g SET grid_worker_name = coalesce((SELECT display_name FROM users WHERE role = 'gridWorker' AND grid_id = g.id ORDER BY id LIMIT 1), ''),
                              grid_worker_phone = CASE WHEN EXISTS (SELECT 1 FROM users WHERE role = 'gridWorker' AND grid_id = g.id) THEN grid_worker_phone ELSE '' END
            WHERE id = $1`, [w.grid_id])
      }
    }
    const keepPhone = w !== null && w.grid_id === grid.id
    await tx.query(
      `UPDATE grids SET grid_worker_name = $2, grid_worker_phone = CASE WHEN $3::text IS NOT NULL THEN $3 WHEN $4 THEN grid_worker_phone ELSE '' END WHERE id = $1`,
      [grid.id, w?.display_name ?? '', c.workerPhone ?? null, keepPhone])
  } else if (c.workerPhone !== undefined) {
    await tx.query('UPDATE grids SET grid_worker_phone = $2 WHERE id = $1', [grid.id, c.workerPhone])
  }
  if (c.workerPhone !== undefined) summary.push('worker phone set')
  const endedSessions = []
  for (const userId of moved) endedSessions.push({ userId, hashes: await revokeUserSessions(tx, userId) })
  return { summary, endedSessions }
}

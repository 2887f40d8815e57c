import type { Db, Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { can } from '../access/policy.ts'
import { assertResidentInScope } from '../access/scope.ts'
import { writeAudit, type Origin } from '../access/audit.ts'
import { HttpError, notFound } from '../http/errors.ts'
import { recordChanges } from '../population/history.ts'
import { ITEM_CARE_TAGS } from '../population/items.ts'

export type GroupKind = 'key' | 'care'

export interface TagWrite {
  residentId: number
  /** the group as the wall names it (留守儿童, 社区矫正…) */
  tag: string
  reason: string
  /** 列管 (true) or 撤管 (false) */
  on: boolean
  /** where the tag came from in the request: body/tag or params/tag */
  field: string
}

export interface TagResult {
  residentId: number
  kind: GroupKind
  tag: string
}

/** The group a tag names, from the ledgers' catalogue (every key and care group has a follow-up period). */
async function groupOf(db: Queryable, tag: string, field: string): Promise<GroupKind> {
  const r = await db.query<{ kind: GroupKind }>('SELECT kind FROM ledger_periods WHERE tag = $1 ORDER BY kind', [tag])
  if (r.rows.length === 1) return r.rows[0].kind
  const all = (await db.query<{ tag: string }>(`SELECT tag FROM ledger_periods ORDER BY kind DESC, tag`)).rows.map((x) => x.tag)
  throw new HttpError(400, `${field} ${tag} is not a key or care group (${all.join('、')})`, 'unknown_tag')
}

/**
 * A care group that follows a data item (低保 → 低保对象…) is kept by the item, so a ledger and
 * the department's data never disagree: she cannot be taken off it while the item says it
 * applies, nor put on it while the item says it does not. An item not set says nothing either
 * way (a disability awaiting 残联's certificate): then the ledger may be set by hand.
 */
function checkItemRule(w: TagWrite, items: Record<string, unknown>): void {
  for (const [item, rule] of Object.entries(ITEM_CARE_TAGS)) {
    if (rule.tag !== w.tag) continue
    const value = items[item]
    const set = value !== null && value !== undefined && value !== ''
    if (w.on && set && !rule.applies(value)) {
      throw new HttpError(409, `${w.field} ${w.tag} follows the data item ${item}, which says it does not apply: correct the item to put her on this ledger`, 'tag_follows_item', { item })
    }
    if (!w.on && rule.applies(value)) {
      throw new HttpError(409, `${w.field} ${w.tag} follows the data item ${item}, which says it applies: correct the item to take her off this ledger`, 'tag_follows_item', { item })
    }
  }
}

/**
 * 列管 / 撤管: a person put on, or taken off, a key-group or care-group ledger, with a reason.
 * Scope first (403 outside it, 404 unknown), then who may keep that kind of group; each change
 * is a history row and an audit row. Asking for what is already so is a 409 with its own code
 * (already_tagged, not_tagged): a screen tells "someone did it before you" from a refusal.
 */
export async function writeTag(db: Db, user: AuthUser, origin: Origin, w: TagWrite): Promise<TagResult> {
  const kind = await groupOf(db, w.tag, w.field)
  return db.transaction(async (tx) => {
    await assertResidentInScope(tx, user, w.residentId)
    if (kind === 'key' && !can(user, 'ledgers.tagKey')) throw new HttpError(403, `role ${user.role} may not keep key-group ledgers`)
    const r = (await tx.query<{ household_id: number; items: Record<string, unknown>; deregistered: string | null }>(
      'SELECT household_id, items, deregistered FROM residents WHERE id = $1 FOR UPDATE', [w.residentId])).rows[0]
    if (!r) throw notFound(`resident ${w.residentId}`)
    if (r.deregistered) throw new HttpError(409, `resident ${w.residentId} is deregistered (${r.deregistered}): her ledgers ended with it`, 'resident_deregistered')
    checkItemRule(w, r.items)
    const has = (await tx.query('SELECT 1 FROM resident_tags WHERE resident_id = $1 AND kind = $2 AND tag = $3', [w.residentId, kind, w.tag])).rows.length > 0
    if (has && w.on) throw new HttpError(409, `resident ${w.residentId} is already on the ledger ${w.tag}`, 'already_tagged')
    if (!has && !w.on) throw new HttpError(409, `resident ${w.residentId} is not on the ledger ${w.tag}`, 'not_tagged')
    if (w.on) await tx.query('INSERT INTO resident_tags (resident_id, kind, tag) VALUES ($1, $2, $3)', [w.residentId, kind, w.tag])
    else await tx.query('DELETE FROM resident_tags WHERE resident_id = $1 AND kind = $2 AND tag = $3', [w.residentId, kind, w.tag])
    const reason = w.reason.trim()
    await recordChanges(tx, user, [{
      residentId: w.residentId, householdId: r.household_id, kind: w.on ? 'ledgerAdd' : 'ledgerRemove',
      field: kind === 'key' ? 'keyGroups' : 'careGroups', before: w.on ? null : w.tag, after: w.on ? w.tag : null, note: reason,
    }])
    await writeAudit(tx, user, origin, { action: w.on ? 'ledgerAdd' : 'ledgerRemove', residentId: w.residentId, reason: `${w.on ? '列管' : '撤管'} ${w.tag}：${reason}` })
    return { residentId: w.residentId, kind, tag: w.tag }
  })
}

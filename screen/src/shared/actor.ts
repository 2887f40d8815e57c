import type { WorkOrderHistoryEntry } from '../../../geo/work-orders.ts'

/**
 * Who took a step, as people read it: the account's name and unit (王某（东王庄村委会）), the
 * unit alone where the name is the unit's own (a department's account), the system as 系统,
 * a resident as 群众. Null where nothing is known of the account (one removed since): the caller
 * shows what it has.
 */
export function actorText(h: Pick<WorkOrderHistoryEntry, 'actor' | 'actorRole' | 'actorName' | 'actorUnit'>): string | null {
  if (h.actor === '#resident') return '群众'
  if (h.actor === 'system') return '系统（超期自动提级）'
  if (!h.actorName) return h.actorUnit ?? null
  if (!h.actorUnit || h.actorName.includes(h.actorUnit)) return h.actorName
  return `${h.actorName}（${h.actorUnit}）`
}

import type { WorkOrderHistoryEntry } from '../../../../geo/work-orders.ts'

/**
 * An order's photos as a reviewer compares them: `before`, those the report came with; `after`,
 * those of every 办 step (拍拍图), oldest first, so a redone order shows each attempt.
 */
export function orderPhotos(history: Pick<WorkOrderHistoryEntry, 'action' | 'photoIds'>[]): { before: number[]; after: number[] } {
  const before: number[] = []
  const after: number[] = []
  for (const h of history) {
    const into = h.action === 'create' ? before : h.action === 'handle' ? after : null
    for (const id of h.photoIds) if (into && !into.includes(id)) into.push(id)
  }
  return { before, after }
}

import type { AuthUser } from '../auth/roles.ts'
import { can } from '../access/policy.ts'
import { GRID_STAGES, nextStages, STAGE_LABELS, type DisputeStage } from '../../geo/disputes.ts'

// Who may move a dispute where. The stage machine first (409: a closed dispute is final; a step
// goes to the same stage, the next rising one, or 结案), then the role: a grid worker mediates at
// 微调解 (she may close a dispute there) and hands anything higher to her village; cadres,
// leaders and the admin take every step in their scope (the scope is checked in SQL beforehand).

export interface Refusal {
  status: 403 | 409
  code: string
  reason: string
}

export function stepRefusal(user: Pick<AuthUser, 'role'>, id: number, from: DisputeStage, to: DisputeStage): Refusal | null {
  if (from === 'closed') return { status: 409, code: 'dispute_closed', reason: `dispute ${id} is closed; a closed dispute is final` }
  const allowed = nextStages(from)
  if (!allowed.includes(to)) {
    return {
      status: 409, code: 'stage_not_allowed',
      reason: `dispute ${id} is at ${from} (${STAGE_LABELS[from]}); it may go to ${allowed.join(', ')} only`,
    }
  }
  if (!can(user, 'disputes.mediate')) return { status: 403, code: 'forbidden', reason: `role ${user.role} may not mediate disputes` }
  if (user.role === 'gridWorker' && (!GRID_STAGES.includes(from) || (to !== 'closed' && !GRID_STAGES.includes(to)))) {
    return {
      status: 403, code: 'stage_beyond_grid',
      reason: `dispute ${id}: a grid worker mediates at 微调解; ${STAGE_LABELS[to]} is for the village or the town`,
    }
  }
  return null
}

/** the stages the user may move a dispute at `stage` to now: what the screens offer as buttons */
export const stepsFor = (user: Pick<AuthUser, 'role'>, id: number, stage: DisputeStage): DisputeStage[] =>
  nextStages(stage).filter((to) => stepRefusal(user, id, stage, to) === null)

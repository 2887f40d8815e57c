import type { FastifyRequest } from 'fastify'
import type { Queryable } from '../db/types.ts'
import type { AuthUser } from '../auth/roles.ts'
import { AUDIT_KINDS, auditKindOf, type AuditKind } from '../../geo/audit.ts'

export { AUDIT_KIND_NAMES, AUDIT_KINDS, auditKindOf, type AuditKind } from '../../geo/audit.ts'

// The audit trail (审计): who learned or did what about whom, why, and from where. Every route
// that reveals personal data beyond the masked view (an unmask, a call-back, a ledger export) or
// lets a caller test identities (an import's dry run, a duplicate ID number) writes one row here,
// and so does every admin action that changes who may do what or what the walls show (accounts,
// roles and scopes, passwords, tours, walls, categories) and every export of a list.

/** Where a request came from, as the trail records it. */
export interface Origin {
  ip: string
  userAgent: string
}

export const originOf = (req: FastifyRequest): Origin => ({ ip: req.ip, userAgent: req.headers['user-agent'] ?? '' })

export interface AuditEvent {
  /** a short stable name: unmask, callerPhone, ledgerExport, … */
  action: string
  /** the caller's stated reason, or what the event was (counts, the file) */
  reason: string
  residentId?: number | null
  workOrderId?: number | null
  disputeId?: number | null
}

const KNOWN_ACTIONS: string[] = Object.values(AUDIT_KINDS).flat()

export async function writeAudit(db: Queryable, user: Pick<AuthUser, 'id' | 'username' | 'role'>, from: Origin, e: AuditEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (user_id, username, role, action, resident_id, work_order_id, dispute_id, reason, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [user.id, user.username, user.role, e.action, e.residentId ?? null, e.workOrderId ?? null, e.disputeId ?? null, e.reason.slice(0, 1000), from.ip, from.userAgent.slice(0, 300)],
  )
}

export interface AuditFilter {
  limit: number
  offset: number
  residentId?: number
  username?: string
  action?: string
  kind?: AuditKind
}

export async function listAudit(db: Queryable, f: AuditFilter) {
  // a kind is the list of its actions; `other` is every action no kind names
  const kindActions = f.kind === undefined ? null : f.kind === 'other' ? KNOWN_ACTIONS : [...AUDIT_KINDS[f.kind]]
  const r = await db.query<{
    id: number; at: Date; user_id: number; username: string; role: string; action: string; resident_id: number | null; work_order_id: number | null
    dispute_id: number | null; reason: string; ip: string; user_agent: string
  }>(
    `SELECT id, at, user_id, username, role, action, resident_id, work_order_id, dispute_id, reason, ip, user_agent FROM audit_log
      WHERE ($3::int IS NULL OR resident_id = $3) AND ($4::text IS NULL OR username = $4) AND ($5::text IS NULL OR action = $5)
        AND ($6::text[] IS NULL OR (action = ANY($6::text[])) = $7)
      ORDER BY id DESC LIMIT $1 OFFSET $2`,
    [f.limit, f.offset, f.residentId ?? null, f.username ?? null, f.action ?? null, kindActions, f.kind !== 'other'],
  )
  return r.rows.map((a) => ({
    id: a.id, at: new Date(a.at).toISOString(), userId: a.user_id, username: a.username, role: a.role, action: a.action,
    residentId: a.resident_id, workOrderId: a.work_order_id, disputeId: a.dispute_id, reason: a.reason, ip: a.ip, userAgent: a.user_agent,
    kind: auditKindOf(a.action),
  }))
}

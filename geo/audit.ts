// The audit trail's vocabulary, shared by the API (which writes and filters it) and the desk (which
// shows it): each action's kind and its name in Chinese.

/**
 * The kinds the desk filters the trail by, each the actions it holds. An action not listed here
 * is of kind `other`, so a new writer shows up in the trail before anyone files it under a kind.
 */
export const AUDIT_KINDS = {
  /** personal data seen beyond the masked view, and identity tests */
  personal: ['unmask', 'callerPhone', 'disputeParties', 'idNumberProbe', 'birthDateProbe', 'residentImportCheck', 'departmentImportCheck', 'welfareImportCheck'],
  /** lists taken away as files */
  exports: ['ledgerExport', 'workOrderExport', 'rankingsExport', 'alertsExport', 'auditExport'],
  /** who may sign in and what they may do */
  accounts: ['userCreate', 'userUpdate', 'userDisable', 'userEnable', 'passwordReset', 'unlockAccount', 'importUsers'],
  /** what the walls show and run */
  walls: ['toursSave', 'wallUpdate', 'wallLink', 'wallPaired', 'wallReload'],
  /** the system's settings and kept data */
  settings: ['categoryUpdate', 'gridEdit', 'welfareFundEdit', 'ledgerAdd', 'ledgerRemove'],
} as const satisfies Record<string, readonly string[]>
export type AuditKind = keyof typeof AUDIT_KINDS | 'other'
export const AUDIT_KIND_NAMES: readonly AuditKind[] = [...(Object.keys(AUDIT_KINDS) as (keyof typeof AUDIT_KINDS)[]), 'other']

export const AUDIT_KIND_LABELS: Record<AuditKind, string> = {
  personal: '个人信息查看', exports: '导出', accounts: '账号与权限', walls: '大屏与轮播', settings: '设置与数据', other: '其他',
}

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  unmask: '查看居民完整信息', callerPhone: '回访查看来电电话', disputeParties: '查看纠纷当事人', idNumberProbe: '身份证号重复核查',
  birthDateProbe: '出生日期核对', residentImportCheck: '户籍导入核对', departmentImportCheck: '部门数据导入核对', welfareImportCheck: '民生资金导入核对',
  ledgerExport: '导出台账', workOrderExport: '导出工单', rankingsExport: '导出考核排名', alertsExport: '导出车辆告警', auditExport: '导出审计日志',
  userCreate: '新建账号', userUpdate: '修改账号', userDisable: '停用账号', userEnable: '启用账号', passwordReset: '重置密码',
  unlockAccount: '解除登录限制', importUsers: '批量导入账号',
  toursSave: '保存轮播', wallUpdate: '大屏命名/指定轮播', wallLink: '生成大屏链接', wallPaired: '大屏通过链接登录', wallReload: '远程刷新大屏',
  categoryUpdate: '修改工单类别', gridEdit: '网格划分', welfareFundEdit: '更正民生资金', ledgerAdd: '列管', ledgerRemove: '撤管',
}

export function auditKindOf(action: string): AuditKind {
  for (const [kind, actions] of Object.entries(AUDIT_KINDS)) if ((actions as readonly string[]).includes(action)) return kind as AuditKind
  return 'other'
}

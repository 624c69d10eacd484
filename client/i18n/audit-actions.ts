// Names of the actions the server records on the audit trail (server/audit, server/http/admin-*).
// Kept out of the i18n messages because the codes contain dots, which vue-i18n reads as paths.
const ACTIONS: Record<string, { zh: string; en: string }> = {
  'auth.login': { zh: '登录', en: 'Sign in' },
  'auth.logout': { zh: '退出登录', en: 'Sign out' },
  access: { zh: '越权访问', en: 'Access' },
  'reporter.read': { zh: '查看报警人信息', en: 'Read reporter data' },
  'users.create': { zh: '创建用户', en: 'Create user' },
  'users.update': { zh: '修改用户', en: 'Update user' },
  'users.password': { zh: '重置密码', en: 'Reset password' },
  'users.logout': { zh: '强制下线', en: 'Force logout' },
  'users.unlock': { zh: '解锁账号', en: 'Unlock account' },
  'keys.create': { zh: '签发密钥', en: 'Issue key' },
  'keys.rotate': { zh: '轮换密钥', en: 'Rotate key' },
  'keys.revoke': { zh: '吊销密钥', en: 'Revoke key' },
  'audit.verify': { zh: '校验审计链', en: 'Verify audit chain' },
  'audit.unreadable': { zh: '记录无法解析', en: 'Unreadable record' },
};

/** An action's name in the UI language, or null for a code this client does not know. */
export function auditActionName(code: string, locale: string): string | null {
  const a = Object.prototype.hasOwnProperty.call(ACTIONS, code) ? ACTIONS[code] : undefined;
  return a ? a[locale.startsWith('zh') ? 'zh' : 'en'] : null;
}

// The client's readable API errors (client/i18n/errors.ts) with the real zh-CN and en messages.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../client/api/http.js';
import { errorText } from '../../client/i18n/errors.js';
import en from '../../client/i18n/en.js';
import zhCN from '../../client/i18n/zh-CN.js';

/** vue-i18n's `t`, enough of it: dotted keys and {named} slots. */
function translator(messages: object) {
  return (key: string, named: Record<string, unknown> = {}) => {
    const m = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages);
    if (typeof m !== 'string') throw new Error(`no message ${key}`);
    return m.replace(/\{(\w+)\}/g, (_, k: string) => String(named[k]));
  };
}
const zh = translator(zhCN);

describe('errorText', () => {
  it('says in words that the role may not do it (403)', () => {
    expect(errorText(new HttpError(403, 'forbidden', 'this needs the permission users.manage'), zh)).toBe('无权限：您的角色不允许执行此操作（403）');
    expect(errorText(new HttpError(403, 'forbidden', 'x'), translator(en))).toMatch(/^No permission/);
  });

  it('names each bad field of a validation answer by its label', () => {
    const err = new HttpError(400, 'invalid_request', 'x', null, {
      errors: [
        { path: 'scopes.0', code: 'unknown_scope', message: 'scopes.0: no jurisdiction "x"' },
        { path: 'password', code: 'required', message: 'password is required' },
      ],
    });
    expect(errorText(err, zh, { scopes: '管辖范围', password: '初始密码' })).toBe('管辖范围：no jurisdiction "x"；初始密码：必填');
  });

  it('tells network trouble, throttling, conflicts and missing objects apart', () => {
    expect(errorText(new TypeError('Failed to fetch'), zh)).toContain('无法连接服务器');
    expect(errorText(new HttpError(429, 'throttled', 'x', 7), zh)).toBe('操作过于频繁，请 7 秒后再试');
    expect(errorText(new HttpError(409, 'version_conflict', 'stale'), zh)).toBe('操作冲突：stale');
    expect(errorText(new HttpError(409, 'last_admin', 'this is the last enabled administrator'), zh)).toContain('最后一个启用的管理员');
    expect(errorText(new HttpError(404, 'not_found', 'x'), zh)).toBe('对象不存在或不在您的管辖范围内');
    expect(errorText(new HttpError(503, 'unavailable', 'x'), zh)).toBe('服务暂不可用，请稍后重试');
  });
});

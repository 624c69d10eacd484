// Access control in the browser: an admin creates a district duty officer, who sees only that
// district (also after the admin moves them to another one) until the admin signs them out;
// ingest keys are issued, rotated and revoked in /admin; the auditor reads the audit trail.
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { call } from '../helpers/requests.js';
import { D2, D3, incidentIn, ingestAll } from '../helpers/live-data.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const VIEW = { width: 1920, height: 1080 };
const USER = 'e2e-d2';
const USER_PASSWORD = 'district-two-pass';

let s: Stack;
let browser: Browser;
let adminCtx: BrowserContext;
let admin: Page;
let userCtx: BrowserContext;
let user: Page;

const path = (p: Page) => new URL(p.url()).pathname;
/** ids of the incidents in the side list, top first */
const listed = (p: Page) => p.locator('[data-testid=incident-list] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id ?? ''));
const navLinks = (p: Page) => p.locator('.topbar .nav a').allTextContents();

async function signIn(p: Page, username: string, password = DEMO_PASSWORD, kiosk = false): Promise<void> {
  await p.goto(`${s.url}/login`);
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', password);
  if (kiosk) await p.check('input[name=kiosk]');
  await p.click('button[type=submit]');
}

/** A POST with the admin's session, as the browser would send it (Origin included). */
async function asAdmin(pathname: string, method = 'GET', body?: unknown) {
  const cookie = await s.login('admin');
  return call(s, pathname, { cookie, method, body, headers: { origin: s.url } });
}

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
  mkdirSync(SHOTS, { recursive: true });
  // one incident in each of the two districts before anyone looks
  await ingestAll(s.url, [incidentIn('ADM-D2-1', D2, 0), incidentIn('ADM-D3-1', D3, 0)]);
  // history for the auditor to page through: more than one page of chain verifications
  const cookie = await s.login('admin');
  for (let i = 0; i < 100; i++) expect((await call(s, '/audit/verify', { cookie })).status).toBe(200);
  adminCtx = await browser.newContext({ viewport: VIEW });
  userCtx = await browser.newContext({ viewport: VIEW });
  admin = await adminCtx.newPage();
  user = await userCtx.newPage();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('admin, district scope and audit (headless Chromium)', () => {
  it('creates a district duty officer in /admin, naming every bad field first', async () => {
    await signIn(admin, 'admin');
    await expect.poll(() => path(admin)).toBe('/map');
    expect(await navLinks(admin)).toEqual(expect.arrayContaining(['态势地图', '系统管理', '审计日志']));
    await admin.click('.topbar .nav a:has-text("系统管理")');
    await expect.poll(() => admin.locator('[data-testid=users-table] tr[data-username=admin]').count()).toBe(1);
    // demo users with their roles in Chinese and their scopes by name
    const duty = admin.locator(`tr[data-username="duty-${D2}"]`);
    await expect.poll(() => duty.textContent()).toContain('值班员');
    await expect.poll(() => duty.textContent()).toContain('桂园区');

    await admin.click('[data-testid=new-user]');
    const form = admin.locator('[data-testid=user-form]');
    await admin.click('[data-testid=user-submit]');
    const errors = admin.locator('[data-testid=form-errors]');
    await expect.poll(() => errors.textContent()).toContain('用户名：必填');
    const text = await errors.textContent();
    expect(text).toContain('姓名：必填');
    expect(text).toContain('角色：请至少选择一个角色');
    expect(text).toContain('管辖范围：请至少选择一个管辖范围');
    expect(text).toContain('初始密码：至少需要 10 个字符');

    await form.locator('input[name=username]').fill('bad name!');
    await form.locator('input[name=displayName]').fill('桂园区值班员（测试）');
    await form.locator('label[data-role=duty_officer] input').check();
    // the scope picker searches districts, streets and communities by name
    await form.locator('[data-testid=scope-search]').fill('桂园');
    await form.locator(`[role=option][data-scope="${D2}"]`).click();
    await expect.poll(() => form.locator(`.scope-chip[data-scope="${D2}"]`).textContent()).toContain('桂园区');
    await form.locator('input[name=password]').fill('short');
    await admin.click('[data-testid=user-submit]');
    await expect.poll(() => errors.textContent()).toContain('用户名：只能包含字母');
    expect(await errors.textContent()).toContain('初始密码：至少需要 10 个字符');
    expect(await errors.textContent()).not.toContain('管辖范围');
    await admin.screenshot({ path: `${SHOTS}/admin-user-form.png` });

    await form.locator('input[name=username]').fill(USER);
    await form.locator('input[name=password]').fill(USER_PASSWORD);
    await form.locator('input[name=confirm]').fill(USER_PASSWORD);
    await admin.click('[data-testid=user-submit]');
    await expect.poll(() => form.count()).toBe(0);
    const row = admin.locator(`tr[data-username="${USER}"]`);
    await expect.poll(() => row.textContent()).toContain('桂园区');
    expect(await row.textContent()).toContain('值班员');
    expect(await admin.locator('[data-testid=notice]').textContent()).toContain(`已创建用户 ${USER}`);

    // disabling asks first, then shows on the row; the account can no longer sign in
    const off = admin.locator('tr[data-username="duty-990108"]');
    await off.locator('button:has-text("停用")').click();
    expect(await admin.locator('[role=dialog]').textContent()).toContain('无法登录');
    await admin.click('[data-testid=confirm]');
    await expect.poll(() => off.locator('.badge').textContent()).toBe('已停用');
    expect(await off.locator('button:has-text("启用")').count()).toBe(1);
    await expect(s.login('duty-990108')).rejects.toThrow(/401/);
    await admin.screenshot({ path: `${SHOTS}/admin-users.png` });

    const list = await asAdmin('/admin/users');
    const created = list.body.items.find((u: { username: string }) => u.username === USER);
    expect(created).toMatchObject({ roles: ['duty_officer'], scopes: [D2], disabled: false, locked: false });
  });

  it("shows the new user only their district's incidents while the other district receives events", async () => {
    // a wall-screen session: duty officers may hold one, and it outlives a working day
    await signIn(user, USER, USER_PASSWORD, true);
    await expect.poll(() => path(user)).toBe('/map');
    const cookie = (await userCtx.cookies()).find((c) => c.httpOnly);
    expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(24 * 3600_000);
    expect(await navLinks(user)).not.toContain('系统管理');
    expect(await navLinks(user)).not.toContain('审计日志');
    await expect.poll(() => listed(user)).toEqual(['ADM-D2-1']);

    await ingestAll(s.url, [incidentIn('ADM-D3-2', D3, 1), incidentIn('ADM-D2-2', D2, 1), incidentIn('ADM-D3-3', D3, 2), incidentIn('ADM-D3-4', D3, 3)]);
    await expect.poll(() => listed(user), { timeout: 5000 }).toEqual(['ADM-D2-2', 'ADM-D2-1']);
    // the other district's incidents were committed first and last: none arrives, on the list or the map
    await user.waitForTimeout(1500);
    expect(await listed(user)).toEqual(['ADM-D2-2', 'ADM-D2-1']);
    await expect.poll(() => user.locator('[data-testid=live-map]').getAttribute('data-incidents')).toBe('2');
    await user.screenshot({ path: `${SHOTS}/admin-district-user-map.png` });

    // a page outside the user's roles: a clear refusal, not a blank page
    const other = await userCtx.newPage();
    await other.goto(`${s.url}/admin`);
    await expect.poll(() => other.locator('[data-testid=forbidden] h2').textContent()).toBe('无权限');
    expect(await other.locator('[data-testid=forbidden]').textContent()).toContain('系统管理');
    await other.close();
  });

  it("moves the user to another district: their open map follows without a reload", async () => {
    const row = admin.locator(`tr[data-username="${USER}"]`);
    await row.locator('button:has-text("编辑")').click();
    const form = admin.locator('[data-testid=user-form]');
    await form.locator(`.scope-chip[data-scope="${D2}"] .chip-x`).click();
    await form.locator('[data-testid=scope-search]').fill('金桥区');
    await form.locator(`[role=option][data-scope="${D3}"]`).click();
    await admin.click('[data-testid=user-submit]');
    await expect.poll(() => form.count()).toBe(0);
    const scopes = row.locator('td').nth(3);
    await expect.poll(() => scopes.textContent()).toBe('金桥区');
    // (the three of one batch share their report time: compare as sets)
    await expect.poll(async () => (await listed(user)).sort(), { timeout: 15_000 }).toEqual(['ADM-D3-1', 'ADM-D3-2', 'ADM-D3-3', 'ADM-D3-4']);
  });

  it('force-logs-out the user: their page goes to login', async () => {
    await admin.locator(`tr[data-username="${USER}"] [data-action=logout]`).click();
    await admin.click('[data-testid=confirm]');
    await expect.poll(() => admin.locator('[data-testid=notice]').textContent()).toContain(`已强制 ${USER} 下线`);
    await expect.poll(() => path(user), { timeout: 15_000 }).toBe('/login');
    await expect.poll(() => user.locator('h2').first().textContent()).toBe('登录');
  });

  it('issues, rotates and revokes an ingest key; the secret is shown once and works', async () => {
    await admin.click('[data-tab=keys]');
    await admin.click('[data-testid=new-key]');
    const form = admin.locator('[data-testid=key-form]');
    await form.locator('input[name=name]').fill('E2E 接警系统');
    await form.locator('input[value="incident.reported"]').check();
    await form.locator('input[value="incident.updated"]').check();
    await form.locator('input[name=sources]').fill('e2e/*');
    await admin.click('[data-testid=key-submit]');
    const box = admin.locator('[data-testid=secret-box]');
    await expect.poll(() => box.count()).toBe(1);
    expect(await box.textContent()).toContain('只显示这一次');
    const secret = await box.locator('[data-testid=secret]').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await admin.screenshot({ path: `${SHOTS}/admin-key-secret.png` });
    await admin.click('[data-testid=secret-done]');
    await expect.poll(() => box.count()).toBe(0);

    const send = (key: string, id: string) =>
      fetch(`${s.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(ce('incident.reported', { incidentId: id, category: 'theft', priority: 3 }, { source: 'e2e/feeder' })),
      }).then((r) => r.status);
    expect(await send(secret, 'ADM-KEY-1')).toBe(202);

    const row = admin.locator('[data-testid=keys-table] tr[data-name="E2E 接警系统"]');
    await expect.poll(() => row.textContent()).toContain('警情上报');
    expect(await row.textContent()).toContain('e2e/*');
    expect(await row.textContent()).toContain('有效');

    await row.locator('[data-action=rotate]').click();
    await admin.click('[data-testid=confirm]');
    await expect.poll(() => box.count()).toBe(1);
    const rotated = await box.locator('[data-testid=secret]').inputValue();
    expect(rotated).not.toBe(secret);
    await admin.click('[data-testid=secret-done]');
    expect(await send(secret, 'ADM-KEY-2')).toBe(401);
    expect(await send(rotated, 'ADM-KEY-3')).toBe(202);
    await expect.poll(() => row.locator('td').nth(5).textContent()).not.toBe('—');

    await row.locator('[data-action=revoke]').click();
    expect(await admin.locator('[role=dialog]').textContent()).toContain('不可恢复');
    await admin.click('[data-testid=confirm]');
    await expect.poll(() => row.textContent()).toContain('已吊销');
    expect(await send(rotated, 'ADM-KEY-4')).toBe(401);
    expect(await row.locator('[data-action=rotate]').isDisabled()).toBe(true);

    // a machine token acts with a role and scopes
    await admin.click('[data-testid=new-key]');
    await form.locator('input[name=kind][value=token]').check();
    await form.locator('input[name=name]').fill('E2E 大屏对接');
    await form.locator('select[name=role]').selectOption('leader');
    await form.locator('[data-testid=scope-search]').fill('金桥');
    await form.locator(`[role=option][data-scope="${D3}"]`).click();
    await admin.click('[data-testid=key-submit]');
    await expect.poll(() => box.textContent()).toContain('auth');
    await admin.click('[data-testid=secret-done]');
    const token = admin.locator('[data-testid=keys-table] tr[data-name="E2E 大屏对接"]');
    await expect.poll(() => token.textContent()).toContain('机器令牌');
    expect(await token.textContent()).toContain('领导');
    expect(await token.textContent()).toContain('金桥区');
    await admin.screenshot({ path: `${SHOTS}/admin-keys.png` });
  });

  it('takes /admin away from an admin whose roles an admin changes, at once', async () => {
    const created = await asAdmin('/admin/users', 'POST', {
      username: 'e2e-admin2', displayName: '第二管理员', roles: ['admin'], scopes: ['990100'], password: 'second-admin-pass',
    });
    expect(created.status).toBe(201);
    const ctx = await browser.newContext({ viewport: VIEW });
    const page = await ctx.newPage();
    await signIn(page, 'e2e-admin2', 'second-admin-pass');
    await expect.poll(() => path(page)).toBe('/map');
    await page.click('.topbar .nav a:has-text("系统管理")');
    await expect.poll(() => page.locator('[data-testid=users-table] tr[data-username=admin]').count()).toBe(1);
    // now an auditor: the server cuts the live socket, refuses it again (no `read`), and the page
    // learns its new roles from GET /me
    expect((await asAdmin('/admin/users/e2e-admin2', 'PATCH', { roles: ['auditor'] })).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=forbidden]').textContent(), { timeout: 15_000 }).toContain('审计员');
    expect(await page.locator('[data-testid=users-table]').count()).toBe(0);
    expect(await navLinks(page)).toEqual(['审计日志']);
    await page.click('[data-testid=forbidden] a');
    await expect.poll(() => path(page)).toBe('/audit');
    await ctx.close();
  });

  it('lets the auditor read the audit trail, page by cursor and verify its chain', async () => {
    // a refused request and a failed login, so the trail holds more than successes
    const dutyCookie = await s.login('duty');
    expect((await call(s, '/admin/users', { cookie: dutyCookie })).status).toBe(403);
    expect((await call(s, '/auth/login', { method: 'POST', body: { username: 'leader', password: 'not-the-password' } })).status).toBe(401);

    const ctx = await browser.newContext({ viewport: VIEW });
    const page = await ctx.newPage();
    // an auditor cannot hold a wall-screen session, and is told so
    await signIn(page, 'auditor', DEMO_PASSWORD, true);
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('不能用于大屏常驻登录');
    await page.uncheck('input[name=kiosk]');
    await page.click('button[type=submit]');
    // no `read`: the audit trail is the auditor's home, and the only page in the bar
    await expect.poll(() => path(page)).toBe('/audit');
    expect(await navLinks(page)).toEqual(['审计日志']);
    expect(await page.locator('.conn-banner').count()).toBe(0);

    const rows = page.locator('[data-testid=audit-table] tbody tr[data-id]');
    await expect.poll(() => rows.count()).toBe(100);
    const firstTime = await rows.first().locator('time').getAttribute('datetime');
    const lastTime = await rows.last().locator('time').getAttribute('datetime');
    expect(Date.parse(firstTime!)).toBeGreaterThanOrEqual(Date.parse(lastTime!));
    // shown in Asia/Shanghai
    const shown = await rows.first().locator('time').textContent();
    const utc8 = new Date(Date.parse(firstTime!) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(shown).toBe(utc8);

    await page.click('[data-testid=audit-more]');
    await expect.poll(() => rows.count()).toBeGreaterThan(100);
    const all = await page.locator('[data-testid=audit-table] tbody').textContent();
    for (const action of ['创建用户', '修改用户', '强制下线', '签发密钥', '轮换密钥', '吊销密钥', '登录']) expect(all).toContain(action);
    expect(await page.locator('tr[data-result=denied]').count()).toBeGreaterThan(0);
    expect(await page.locator('tr[data-result=failure]').count()).toBeGreaterThan(0);
    const ids = await rows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
    if (await page.locator('[data-testid=audit-more]').count()) await page.click('[data-testid=audit-more]');
    await expect.poll(() => page.locator('[data-testid=audit-end]').count()).toBe(1);

    await page.click('[data-testid=verify-chain]');
    await expect.poll(() => page.locator('[data-testid=verify-result]').textContent()).toContain('哈希链完整');
    await page.locator('.table-wrap').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/audit.png` });

    // a page outside the auditor's roles
    await page.goto(`${s.url}/map`);
    await expect.poll(() => page.locator('[data-testid=forbidden]').textContent()).toContain('审计员');
    await page.screenshot({ path: `${SHOTS}/forbidden.png` });
    await ctx.close();
  });
});

// The governance console (/governance) in headless Chromium against a real stack: a leader issues a
// supervision order (督办) on a dispute and a duty officer's console shows it live; a coordinator
// moves a dispute to the next stage and escalates it while the boards follow; a conflicting
// transition says what holds now; the duty officer answers the order and it leaves the banners and
// the live map's indicator; the per-community indicators show numbers only where data exists.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { launchBrowser } from '../helpers/browser.js';
import { rosterOf } from '../../server/geo/roster.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { ce, DEMO_PASSWORD, startStack, type Stack } from '../helpers/stack.js';

const SHOTS = 'tests/e2e/screenshots';
const VIEWPORT = { width: 1920, height: 1080 };
/** the functional deadline of a live change (a supervision order reaching another console) */
const LIVE_MS = 5000;

let s: Stack;
let browser: Browser;
let leaderPage: Page;
let dutyPage: Page;
let dutyMap: Page;
let coordPage: Page;
let coord: Client;
let orderId = '';
const timings: Record<string, number> = {};

async function signIn(page: Page, path: string, username: string): Promise<void> {
  await page.goto(`${s.url}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === path);
}

const card = (page: Page, id: string) => page.locator(`[data-testid=case-card][data-id="${id}"]`);
const details = (page: Page) => page.locator('[data-testid=case-details]');
const notice = (page: Page) => page.locator('[data-testid=gov-notice]');
const bannerItem = (page: Page, id: string) => page.locator(`[data-testid=supervision-banner] li[data-id="${id}"]`);
const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};

async function open(page: Page, id: string): Promise<void> {
  await card(page, id).locator('button').click();
  await expect.poll(() => details(page).getAttribute('data-id')).toBe(id);
}

async function confirm(page: Page, path: string, status: number): Promise<number> {
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1${path}`);
  await page.click('[data-testid=action-confirm]');
  const res = await answered;
  expect(res.status(), await res.text()).toBe(status);
  return Date.now();
}

beforeAll(async () => {
  [s, browser] = await Promise.all([startStack(), launchBrowser()]);
  const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  const res = await s.ingest([
    ce('dispute.registered', { disputeId: 'GOV-D1', kind: 'neighbour', parties: ['张某', '李某'], location: at(10), summary: '楼上住户装修漏水，楼下住户要求赔偿' }),
    ce('dispute.registered', { disputeId: 'GOV-D2', kind: 'labour', parties: ['王某', '赵某', '某建筑公司'], location: at(40), summary: '工程完工后拖欠三名工人工资' }),
    ce('dispute.registered', { disputeId: 'GOV-D3', kind: 'property_management', parties: ['业主代表', '物业公司'], location: at(80), summary: '物业费上涨引发业主不满' }),
    ce('dispute.registered', { disputeId: 'GOV-D4', kind: 'family', parties: ['刘某', '陈某'], location: at(120), summary: '赡养老人分歧', deadline: days(-2) }),
    ce('dispute.registered', { disputeId: 'GOV-D5', kind: 'consumer', parties: ['消费者', '某商场'], location: at(160), summary: '预付卡商家跑路', deadline: days(20) }),
    ce('petition.filed', { petitionId: 'GOV-P1', petitioner: 'pk-7f3a', subject: '小区违建久拖未拆', location: at(200) }),
  ]);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.accepted).toHaveLength(6);
  coord = await as(s, 'coordinator');
  mkdirSync(SHOTS, { recursive: true });
  const [c1, c2, c3] = await Promise.all([0, 1, 2].map(() => browser.newContext({ viewport: VIEWPORT })));
  [leaderPage, dutyPage, coordPage] = await Promise.all([c1!.newPage(), c2!.newPage(), c3!.newPage()]);
  for (const [name, p] of [['leader', leaderPage], ['duty', dutyPage], ['coordinator', coordPage]] as const) {
    p.on('pageerror', (e) => console.log(`${name} page error:`, e.message));
  }
  await Promise.all([signIn(leaderPage, '/governance', 'leader'), signIn(dutyPage, '/governance', 'duty'), signIn(coordPage, '/governance', 'coordinator')]);
  // the duty officer's live map, in the same session as their console
  dutyMap = await c2!.newPage();
  await dutyMap.goto(`${s.url}/map`);
});

afterAll(async () => {
  if (Object.keys(timings).length) console.log('governance live changes (ms from the command answer):', JSON.stringify(timings));
  await browser?.close();
  await s?.stop();
});

describe('governance console (headless Chromium)', () => {
  it('shows the cases by stage with deadlines, an overdue one in red with the word', async () => {
    for (const p of [leaderPage, dutyPage, coordPage]) {
      await expect.poll(() => p.locator('[data-testid=case-card]').count(), { timeout: 10_000 }).toBe(6);
    }
    const board = leaderPage.locator('[data-testid=case-board]');
    expect(await board.locator('[data-column=registered] [data-testid=case-card]').count()).toBe(5);
    expect(await board.locator('[data-column=petitions] [data-testid=case-card][data-id=GOV-P1]').count()).toBe(1);
    // catalogue names, parties, responsible level and jurisdiction, deadline
    const d2 = card(leaderPage, 'GOV-D2');
    expect(await d2.textContent()).toContain('劳资纠纷');
    expect(await d2.textContent()).toContain('当事人 3');
    expect(await d2.getAttribute('data-level')).toBe('grid');
    expect(await d2.locator('.due').textContent()).toMatch(/剩余 \d+ (个工作日|小时|分钟)/);
    const late = card(leaderPage, 'GOV-D4');
    expect(await late.getAttribute('data-overdue')).toBe('true');
    expect(await late.locator('.due[data-due=overdue]').textContent()).toMatch(/已超期\s*\d+ (个工作日|天|小时)/);
    expect(await card(leaderPage, 'GOV-D5').locator('.due').textContent()).toMatch(/剩余 \d+ 个工作日/);
    // the most overdue first in its column
    expect(await board.locator('[data-column=registered] [data-testid=case-card]').first().getAttribute('data-id')).toBe('GOV-D4');
    // the small map shows the open cases
    await expect.poll(() => leaderPage.locator('[data-testid=case-map]').getAttribute('data-ready')).toBe('true');
    await expect.poll(() => leaderPage.locator('[data-testid=case-map]').getAttribute('data-markers')).toBe('6');
    expect(await leaderPage.locator('.gmk.overdue').count()).toBe(1);

    // filters: overdue only, then one kind
    await leaderPage.check('[data-testid=filter-overdue]');
    await expect.poll(() => leaderPage.locator('[data-testid=case-card]').count()).toBe(1);
    await leaderPage.uncheck('[data-testid=filter-overdue]');
    await leaderPage.selectOption('[data-testid=filter-kind]', 'labour');
    await expect.poll(() => leaderPage.locator('[data-testid=case-card]').count()).toBe(1);
    await leaderPage.selectOption('[data-testid=filter-kind]', '');
    await leaderPage.click('[data-testid=view-responsible]');
    await expect.poll(() => leaderPage.locator('[data-testid=case-card]').count()).toBe(6); // the leader's scope is the city
    await leaderPage.click('[data-testid=view-located]');
  });

  it('a leader issues a supervision order; the duty officer’s console shows it live', async () => {
    expect(await dutyPage.locator('[data-testid=supervision-banner]').getAttribute('data-count')).toBe('0');
    await open(leaderPage, 'GOV-D1');
    const actions = leaderPage.locator('[data-testid=case-actions]');
    // a leader supervises; routing and escalation are the coordinators'
    expect(await actions.locator('[data-action=issue]').count()).toBe(1);
    expect(await actions.locator('[data-action^=to-], [data-action=escalate]').count()).toBe(0);
    await actions.locator('[data-action=issue]').click();
    expect(await leaderPage.inputValue('input[name=deadline]')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await leaderPage.fill('textarea[name=instruction]', '请于五个工作日内组织调解，化解后反馈结果');
    await leaderPage.screenshot({ path: `${SHOTS}/governance-leader-issue.png` });

    const answered = leaderPage.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/supervisions');
    await leaderPage.click('[data-testid=action-confirm]');
    const res = await answered;
    const t0 = Date.now();
    expect(res.status()).toBe(201);
    orderId = ((await res.json()) as { supervisionId: string }).supervisionId;
    expect(orderId).toBeTruthy();

    // functional deadline 5 s, without a reload
    await dutyPage.waitForFunction((id) => document.querySelector(`[data-testid=supervision-banner] li[data-id="${id}"]`) !== null, orderId, { timeout: LIVE_MS, polling: 20 });
    timings.dutyBanner = Date.now() - t0;
    expect(await bannerItem(dutyPage, orderId).textContent()).toContain('请于五个工作日内组织调解');
    expect(await bannerItem(dutyPage, orderId).textContent()).toContain('邻里纠纷');
    expect(await dutyPage.locator('[data-testid=supervision-banner]').getAttribute('data-count')).toBe('1');
    await expect.poll(() => card(dutyPage, orderId).count(), { timeout: LIVE_MS }).toBe(1);
    await dutyMap.waitForFunction(() => document.querySelector('[data-testid=kpi-supervision]')?.getAttribute('data-count') === '1', undefined, { timeout: LIVE_MS, polling: 50 });
    timings.dutyMapIndicator = Date.now() - t0;
    expect(await dutyMap.locator('[data-testid=kpi-supervision]').textContent()).toContain('督办');

    // the leader's console: the order on the case, the case flagged on the board
    await expect.poll(() => notice(leaderPage).getAttribute('data-tone')).toBe('ok');
    await expect.poll(() => leaderPage.locator(`[data-testid=case-supervisions] li[data-id="${orderId}"]`).count()).toBe(1);
    await expect.poll(() => card(leaderPage, 'GOV-D1').locator('.gflag.sup').count()).toBe(1);
    await expect.poll(() => leaderPage.locator('[data-testid=case-timeline] li[data-type="supervision.issued"]').count()).toBe(1);
    await leaderPage.screenshot({ path: `${SHOTS}/governance-leader.png` });
    await dutyPage.screenshot({ path: `${SHOTS}/governance-duty.png` });
    await dutyMap.screenshot({ path: `${SHOTS}/governance-map-indicator.png` });
  });

  it('a coordinator moves a dispute to the next stage and escalates it; the boards follow', async () => {
    await open(coordPage, 'GOV-D2');
    const actions = coordPage.locator('[data-testid=case-actions]');
    // CASE_NEXT from registered: mediation only; no supervision orders for a coordinator
    expect(await actions.locator('[data-action^=to-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['to-mediating']);
    expect(await actions.locator('[data-action=issue]').count()).toBe(0);
    await actions.locator('[data-action=to-mediating]').click();
    await coordPage.fill('textarea[name=note]', '已约双方周三上午到社区调解室');
    const t0 = await confirm(coordPage, '/disputes/GOV-D2/transition', 200);
    await expect.poll(() => coordPage.locator('[data-column=mediating] [data-testid=case-card][data-id=GOV-D2]').count()).toBe(1);
    expect(await details(coordPage).getAttribute('data-stage')).toBe('mediating');
    await leaderPage.waitForFunction(() => document.querySelector('[data-column=mediating] [data-testid=case-card][data-id=GOV-D2]') !== null, undefined, { timeout: LIVE_MS, polling: 20 });
    timings.leaderBoardStage = Date.now() - t0;
    // next from mediating: the stage after it (CASE_NEXT; no stage is skipped)
    await expect.poll(() => actions.locator('[data-action^=to-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['to-assessed']);

    await actions.locator('[data-action=escalate]').click();
    await coordPage.click('[data-testid=action-confirm]'); // no reason yet: asked for, nothing sent
    expect(await coordPage.locator('[data-testid=action-form] .field-error').textContent()).toContain('提级原因');
    await coordPage.fill('textarea[name=reason]', '涉及三名工人，欠薪金额大，网格调解未果');
    const t1 = await confirm(coordPage, '/disputes/GOV-D2/escalate', 200);
    await expect.poll(() => card(coordPage, 'GOV-D2').getAttribute('data-level')).toBe('community');
    await expect.poll(() => coordPage.locator('[data-testid=escalation]').textContent()).toContain('网格调解未果');
    expect(await card(coordPage, 'GOV-D2').locator('.gflag.esc').textContent()).toContain('1');
    await leaderPage.waitForFunction(() => document.querySelector('[data-testid=case-card][data-id=GOV-D2]')?.getAttribute('data-level') === 'community',
      undefined, { timeout: LIVE_MS, polling: 20 });
    timings.leaderBoardEscalation = Date.now() - t1;
    const stored = await coord.get('/disputes/GOV-D2');
    expect(stored.body).toMatchObject({ stage: 'mediating', responsibleLevel: 'community', escalations: 1, escalationReason: '涉及三名工人，欠薪金额大，网格调解未果' });
    await coordPage.screenshot({ path: `${SHOTS}/governance-coordinator.png` });
  });

  it('a conflicting transition says what holds now', async () => {
    await open(coordPage, 'GOV-D3');
    await coordPage.locator('[data-testid=case-actions] [data-action=to-mediating]').click();
    // another coordinator moves the case while this request is on its way
    let raced = 0;
    await coordPage.route('**/api/v1/disputes/GOV-D3/transition', async (route) => {
      try {
        raced = (await coord.post('/disputes/GOV-D3/transition', { to: 'mediating', expectedVersion: 1, note: '另一调度员已受理' })).status;
      } finally {
        await route.continue();
      }
    });
    await confirm(coordPage, '/disputes/GOV-D3/transition', 409);
    await coordPage.unroute('**/api/v1/disputes/GOV-D3/transition');
    expect(raced).toBe(200);
    await expect.poll(() => notice(coordPage).getAttribute('data-tone')).toBe('conflict');
    const text = (await notice(coordPage).textContent()) ?? '';
    expect(text).toContain('已被他人更新');
    expect(text).toContain('调解中'); // the stage now
    expect(text).toContain('版本 2');
    await expect.poll(() => details(coordPage).getAttribute('data-stage')).toBe('mediating');
    await coordPage.screenshot({ path: `${SHOTS}/governance-conflict.png` });
  });

  it('the duty officer answers the order; it leaves the banners and the map indicator live', async () => {
    await bannerItem(dutyPage, orderId).locator('button').click();
    await expect.poll(() => details(dutyPage).getAttribute('data-id')).toBe(orderId);
    const actions = dutyPage.locator('[data-testid=case-actions]');
    expect(await actions.locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))).toEqual(['answer']);
    await actions.locator('[data-action=answer]').click();
    await dutyPage.fill('textarea[name=answer]', '已组织双方调解，达成赔偿协议');
    const t0 = await confirm(dutyPage, `/supervisions/${orderId}/answer`, 200);
    await leaderPage.waitForFunction(() => document.querySelector('[data-testid=supervision-banner]')?.getAttribute('data-count') === '0', undefined, { timeout: LIVE_MS, polling: 20 });
    timings.leaderBannerCleared = Date.now() - t0;
    await dutyMap.waitForFunction(() => document.querySelector('[data-testid=kpi-supervision]')?.getAttribute('data-count') === '0', undefined, { timeout: LIVE_MS, polling: 50 });
    // the answered order moves to its section; the case shows it answered
    await expect.poll(() => leaderPage.locator(`[data-column=supervisions] [data-stage=answered] [data-id="${orderId}"]`).count()).toBe(1);
    await expect.poll(() => leaderPage.locator(`[data-testid=case-supervisions] li[data-id="${orderId}"]`).getAttribute('data-stage')).toBe('answered');
  });

  it('shows per-community indicators from the server, "no data yet" where there is none', async () => {
    const table = leaderPage.locator('[data-testid=gov-indicators]');
    await expect.poll(() => table.getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    const total = leaderPage.locator('[data-testid=indicator-total]');
    expect(await total.locator('[data-col=opened]').textContent()).toBe('6');
    // nothing was resolved: rates over resolved cases have no data, and say so
    expect(await total.locator('[data-col=onTime] .nodata').textContent()).toBe('暂无数据');
    expect(await total.locator('[data-col=median] .nodata').count()).toBe(1);
    expect(await total.locator('[data-col=backlog]').textContent()).toBe('1');
    expect(await leaderPage.locator('th[data-col=onTime]').getAttribute('title')).toContain('办理时限');
    // only communities with cases, by default (six cases in at most six communities)
    const shown = await leaderPage.locator('[data-testid=indicator-row]').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(6);
    const stats = await as(s, 'leader').then((c) => c.get('/stats?metric=governance'));
    expect(stats.body.total.opened).toBe(6);

    await leaderPage.click('.lang button[lang=en]');
    await expect.poll(() => leaderPage.locator('[data-testid=indicator-total] [data-col=onTime] .nodata').textContent()).toBe('no data yet');
    await open(leaderPage, 'GOV-D2');
    await leaderPage.screenshot({ path: `${SHOTS}/governance-en.png` });
    await leaderPage.click('.lang button[lang=zh-CN]');
  });

  it('lists the grid workers in scope with their grids and 30-day reports in a tab next to the indicators', async () => {
    const g = gridCenter(40);
    const loc = { lat: g.lat, lon: g.lon };
    const res = await s.ingest([
      ce('gridworker.report', { kind: 'visit', location: loc, summary: '入户走访独居老人' }),
      ce('gridworker.report', { kind: 'visit', location: loc, summary: '走访出租屋' }),
      ce('gridworker.report', { kind: 'hazard', location: loc, summary: '楼道堆放杂物' }),
      ce('gridworker.report', { kind: 'dispute_lead', location: loc, summary: '邻里噪音纠纷苗头' }),
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const worker = rosterOf(demoTree()).workerForGrid(g.gridId)!;
    await leaderPage.click('[data-testid=tab-gridworkers]');
    const panel = leaderPage.locator('[data-testid=gov-gridworkers]');
    await expect.poll(() => panel.getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    const row = panel.locator(`[data-testid=gridworker-row][data-id="${worker.id}"]`);
    // the most active worker comes first
    expect(await panel.locator('[data-testid=gridworker-row]').first().getAttribute('data-id')).toBe(worker.id);
    expect(await row.locator('th').textContent()).toBe(worker.name);
    expect(await row.locator('[data-col=visit]').textContent()).toBe('2');
    expect(await row.locator('[data-col=hazard]').textContent()).toBe('1');
    expect(await row.locator('[data-col=lead]').textContent()).toBe('1');
    const gridName = demoTree().get(g.gridId)!.name;
    expect(await row.locator('.gw-grid-names').getAttribute('title')).toContain(gridName);
    expect(await row.locator('.gw-grid-names').textContent()).toContain(gridName.replace(demoTree().get(worker.communityId)!.name, ''));
    expect(await panel.locator('[data-testid=gridworker-row]').count()).toBe(rosterOf(demoTree()).workers.length);
    await leaderPage.screenshot({ path: `${SHOTS}/governance-gridworkers.png` });
    await leaderPage.click('.gov-stats [data-tab=stats]');
    await expect.poll(() => leaderPage.locator('[data-testid=gov-indicators]').count()).toBe(1);
  });
});

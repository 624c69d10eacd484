// The client's governance case store (client/stores/cases.ts) against a stubbed fetch: snapshots
// over the three list endpoints, entries that fetch a case by id only when their `affects` version
// is newer, cases leaving scope, commands with the held version and a 409 that re-reads the case.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Dispute, Supervision } from '../../shared/governance.js';
import type { Entry } from '../../shared/objects.js';
import { useCasesStore } from '../../client/stores/cases.js';

const T0 = '2025-03-03T02:00:00.000Z';
const CHAIN = ['g1', 'm1', 's1', 'd1', 'c1'];

function base(id: string, version: number) {
  return {
    id, version, jurisdiction: CHAIN, location: { lat: 30, lon: 114 }, gridId: 'g1', responsibleLevel: 'grid' as const, responsibleJurisdiction: 'g1',
    escalations: 0, escalationReason: null, deadline: '2025-03-05T16:00:00.000Z', summary: null, source: 'test', openedAt: T0, stageSince: T0,
    updatedAt: T0, resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
  };
}
const dispute = (id: string, version = 1, over: Partial<Dispute> = {}): Dispute => ({
  ...base(id, version), kind: 'dispute', stage: 'registered', category: 'neighbour', parties: ['甲', '乙'], risk: null, department: null, outcome: null,
  resolvedAtLevel: null, incidentIds: [], ...over,
});
const order = (id: string, caseRef: string, deadline: string, over: Partial<Supervision> = {}): Supervision => ({
  ...base(id, 1), kind: 'supervision', stage: 'issued', deadline, caseRef, caseKind: 'dispute', instruction: '限期化解', issuedBy: 'leader', answer: null, answeredAt: null, ...over,
});
const entry = (affects: Entry['affects'], data: Record<string, unknown> = {}): Entry => ({
  seq: '1-0', id: 'e', source: 's', type: 'dispute.mediated', time: T0, receivedAt: T0, jurisdiction: CHAIN, affects, data,
});

type Handler = (method: string, path: string, body: unknown) => { status: number; body?: unknown };
let handler: Handler;
let calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[];

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Answers every list with these items per kind (filtered by the `stage` query) and a fixed asOfSeq. */
function lists(byKind: Record<string, object[]>, asOf: Record<string, string | null> = {}): Handler {
  return (method, path) => {
    const m = /^\/api\/v1\/(disputes|petitions|supervisions)\?stage=([^&]+)/.exec(path);
    if (method !== 'GET' || !m) return { status: 404, body: { error: { code: 'not_found', message: 'no' } } };
    const stages = decodeURIComponent(m[2]!).split(',');
    const items = (byKind[m[1]!] ?? []).filter((c) => stages.includes((c as { stage: string }).stage));
    return { status: 200, body: { items, nextCursor: null, asOfSeq: asOf[m[1]!] === undefined ? '5-0' : asOf[m[1]!], logEpoch: 'ep' } };
  };
}

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
  calls = [];
  handler = () => ({ status: 500 });
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path: url, body, headers: (init.headers ?? {}) as Record<string, string> });
    const r = handler(method, url, body);
    return json(r.status, r.body);
  }));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useCasesStore snapshot', () => {
  it('loads open and recent stages of the three kinds and answers the smallest asOfSeq', async () => {
    handler = lists({
      disputes: [dispute('D1'), dispute('D2', 3, { stage: 'resolved' })],
      supervisions: [order('S1', 'D1', '2025-03-07T16:00:00.000Z')],
    }, { disputes: '9-0', petitions: '7-1', supervisions: '8-0' });
    const s = useCasesStore();
    expect(await s.load()).toBe('7-1');
    expect(s.get('dispute', 'D1')?.version).toBe(1);
    expect(s.get('dispute', 'D2')?.stage).toBe('resolved');
    expect(s.get('supervision', 'S1')?.kind).toBe('supervision');
    expect(s.loadedKinds).toEqual(['dispute', 'petition', 'supervision']);
    const paths = calls.map((c) => c.path);
    expect(paths).toContain('/api/v1/disputes?stage=registered,mediating,assessed,routed&limit=500');
    expect(paths).toContain('/api/v1/disputes?stage=resolved&limit=200');
    expect(paths).toContain('/api/v1/petitions?stage=filed&limit=500');
    expect(paths).toContain('/api/v1/supervisions?stage=issued&limit=500');
  });

  it('leaves out a kind whose endpoint is missing; no kind at all answers undefined', async () => {
    const h = lists({ disputes: [dispute('D1')] });
    handler = (m, p, b) => (p.startsWith('/api/v1/supervisions') ? { status: 404, body: { error: { code: 'not_found', message: 'x' } } } : h(m, p, b));
    const s = useCasesStore();
    expect(await s.load()).toBe('5-0');
    expect(s.loadedKinds).toEqual(['dispute', 'petition']);
    handler = () => ({ status: 404, body: { error: { code: 'not_found', message: 'x' } } });
    expect(await s.load()).toBeUndefined();
    expect(s.items.size).toBe(0);
  });

  it('an empty log (null asOfSeq) resumes from its start; a server error is retried by the caller', async () => {
    handler = lists({}, { disputes: null });
    const s = useCasesStore();
    expect(await s.load()).toBeNull();
    handler = () => ({ status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
    await expect(s.load()).rejects.toMatchObject({ status: 503 });
  });
});

describe('useCasesStore live entries', () => {
  it('fetches a case by id only when an entry announces a newer version, batched', async () => {
    handler = lists({ disputes: [dispute('D1', 2)] });
    const s = useCasesStore();
    await s.load();
    const v0 = s.version;
    calls = [];
    s.applyEntry(entry([{ kind: 'dispute', id: 'D1', version: 2 }])); // not newer
    s.applyEntry(entry([{ kind: 'incident', id: 'D1', version: 9 }, { kind: 'unit', id: 'U1', version: 9 }])); // not a case
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toEqual([]);

    handler = (_m, p) => (p === '/api/v1/disputes/D1'
      ? { status: 200, body: { ...dispute('D1', 3, { stage: 'mediating' }), timeline: [], asOfSeq: '6-0' } }
      : p === '/api/v1/disputes/D9' ? { status: 200, body: { ...dispute('D9', 1), timeline: [], asOfSeq: '6-0' } } : { status: 500 });
    s.applyEntry(entry([{ kind: 'dispute', id: 'D1', version: 3 }]));
    s.applyEntry(entry([{ kind: 'dispute', id: 'D1', version: 3 }, { kind: 'dispute', id: 'D9', version: 1 }]));
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.map((c) => c.path).sort()).toEqual(['/api/v1/disputes/D1', '/api/v1/disputes/D9']);
    expect(s.get('dispute', 'D1')?.stage).toBe('mediating');
    expect(s.get('dispute', 'D9')?.version).toBe(1);
    expect(s.version).toBeGreaterThan(v0);
  });

  it('drops a case that answers 404 (it left our scope)', async () => {
    handler = lists({ disputes: [dispute('D1', 1)] });
    const s = useCasesStore();
    await s.load();
    handler = () => ({ status: 404, body: { error: { code: 'not_found', message: 'gone' } } });
    s.applyEntry(entry([{ kind: 'dispute', id: 'D1', version: 2 }]));
    await vi.advanceTimersByTimeAsync(500);
    expect(s.get('dispute', 'D1')).toBeUndefined();
  });

  it('a new supervision order shows among the open orders, nearest deadline first, and on its case', async () => {
    handler = lists({ disputes: [dispute('D1')], supervisions: [order('S1', 'D1', '2025-03-10T16:00:00.000Z')] });
    const s = useCasesStore();
    await s.load();
    handler = (_m, p) => (p === '/api/v1/supervisions/S2'
      ? { status: 200, body: { ...order('S2', 'D1', '2025-03-06T16:00:00.000Z'), timeline: [], asOfSeq: '7-0' } }
      : { status: 500 });
    s.applyEntry(entry([{ kind: 'supervision', id: 'S2', version: 1 }], { caseRef: 'D1', supervisionId: 'S2' }));
    await vi.advanceTimersByTimeAsync(500);
    expect(s.openSupervisions.map((o) => o.id)).toEqual(['S2', 'S1']);
    expect(s.supervisionsOf('D1').map((o) => o.id).sort()).toEqual(['S1', 'S2']);
    // answered: no longer open, still on its case
    s.put({ ...order('S2', 'D1', '2025-03-06T16:00:00.000Z'), version: 2, stage: 'answered', answer: '已化解' });
    expect(s.openSupervisions.map((o) => o.id)).toEqual(['S1']);
    expect(s.supervisionsOf('D1').map((o) => o.id)).toEqual(['S1', 'S2']);
  });

  it('re-reads the selected case when an order on it is issued (its timeline grows)', async () => {
    handler = lists({ disputes: [dispute('D1')] });
    const s = useCasesStore();
    await s.load();
    let reads = 0;
    handler = (_m, p) => {
      if (p === '/api/v1/disputes/D1') reads++;
      if (p === '/api/v1/disputes/D1') return { status: 200, body: { ...dispute('D1'), timeline: [entry([], {})], asOfSeq: '7-0' } };
      if (p === '/api/v1/supervisions/S3') return { status: 200, body: { ...order('S3', 'D1', T0), timeline: [], asOfSeq: '7-0' } };
      return { status: 500 };
    };
    s.select('dispute', 'D1');
    await vi.advanceTimersByTimeAsync(10);
    expect(reads).toBe(1);
    expect(s.detail?.id).toBe('D1');
    s.applyEntry(entry([{ kind: 'supervision', id: 'S3', version: 1 }], { caseRef: 'D1' }));
    await vi.advanceTimersByTimeAsync(500);
    expect(reads).toBe(2);
  });

  it('closed cases leave after 30 minutes; reset forgets everything', async () => {
    vi.setSystemTime(new Date('2025-03-03T03:00:00.000Z'));
    handler = lists({ disputes: [dispute('D1')] });
    const s = useCasesStore();
    await s.load();
    s.put(dispute('D1', 5, { stage: 'closed', closedAt: '2025-03-03T02:50:00.000Z' }));
    expect(s.get('dispute', 'D1')?.stage).toBe('closed');
    s.sweep(Date.parse('2025-03-03T03:21:00.000Z'));
    expect(s.get('dispute', 'D1')).toBeUndefined();
    s.put(dispute('D2'));
    s.reset();
    expect(s.items.size).toBe(0);
  });

  it('keeps the newest 200 resolved disputes (never closed) and the selected one, drops the older ones', async () => {
    handler = lists({ disputes: [] });
    const s = useCasesStore();
    await s.load();
    const at = (i: number) => new Date(Date.parse(T0) + i * 60_000).toISOString();
    for (let i = 0; i < 205; i++) s.put(dispute(`R${i}`, 3, { stage: 'resolved', stageSince: at(i), resolvedAt: at(i) }));
    s.put(dispute('OPEN', 1));
    s.select('dispute', 'R0');
    s.sweep(Date.parse(T0) + 300 * 60_000);
    expect(s.get('dispute', 'R0')).toBeDefined();
    // R0 stays as the selected one; of R1..R204 the newest 200 stay
    for (const i of [1, 2, 3, 4]) expect(s.get('dispute', `R${i}`)).toBeUndefined();
    expect(s.get('dispute', 'R5')).toBeDefined();
    expect(s.get('dispute', 'R204')).toBeDefined();
    expect(s.get('dispute', 'OPEN')).toBeDefined();
    expect(s.items.size).toBe(202);
  });
});

describe('useCasesStore commands', () => {
  it('sends the held version and an Idempotency-Key; the answer replaces our copy', async () => {
    handler = lists({ disputes: [dispute('D1', 4)] });
    const s = useCasesStore();
    await s.load();
    handler = (m, p) => (m === 'POST' && p === '/api/v1/disputes/D1/transition'
      ? { status: 200, body: { ...dispute('D1', 5, { stage: 'mediating' }), seq: '9-0' } }
      : { status: 200, body: { ...dispute('D1', 5, { stage: 'mediating' }), timeline: [], asOfSeq: '9-0' } });
    const c = s.get('dispute', 'D1') as Dispute;
    const r = await s.transition(c, 'mediating', { note: '约双方调解' });
    expect(r.stage).toBe('mediating');
    const post = calls.find((x) => x.method === 'POST')!;
    expect(post.body).toEqual({ to: 'mediating', expectedVersion: 4, note: '约双方调解' });
    expect(post.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.get('dispute', 'D1')?.version).toBe(5);
  });

  it('a 409 re-reads the case before the error goes on', async () => {
    handler = lists({ disputes: [dispute('D1', 1)] });
    const s = useCasesStore();
    await s.load();
    handler = (m, p) => {
      if (m === 'POST') return { status: 409, body: { error: { code: 'version_conflict', message: 'stale', details: { current: 2 } } } };
      if (p === '/api/v1/disputes/D1') return { status: 200, body: { ...dispute('D1', 2, { stage: 'mediating', responsibleLevel: 'community', responsibleJurisdiction: 'm1' }), timeline: [], asOfSeq: '9-0' } };
      return { status: 500 };
    };
    await expect(s.escalate(s.get('dispute', 'D1') as Dispute, '双方拒绝调解')).rejects.toMatchObject({ status: 409, code: 'version_conflict' });
    expect(calls.find((x) => x.method === 'POST')!.body).toEqual({ expectedVersion: 1, reason: '双方拒绝调解' });
    expect(s.get('dispute', 'D1')).toMatchObject({ version: 2, stage: 'mediating', responsibleLevel: 'community' });
  });

  it('issues a supervision order on a case and answers one', async () => {
    handler = lists({ disputes: [dispute('D1')] });
    const s = useCasesStore();
    await s.load();
    handler = (m, p) => {
      if (m === 'POST' && p === '/api/v1/supervisions') return { status: 201, body: { ...order('S1', 'D1', '2025-03-07T16:00:00.000Z'), supervisionId: 'S1', seq: '9-0' } };
      if (m === 'POST' && p === '/api/v1/supervisions/S1/answer') return { status: 200, body: { ...order('S1', 'D1', '2025-03-07T16:00:00.000Z', { stage: 'answered', answer: '已化解' }), version: 2, seq: '9-1' } };
      return { status: 500 };
    };
    await s.issue(s.get('dispute', 'D1') as Dispute, '2025-03-07T16:00:00.000Z', '限期化解');
    expect(calls.find((x) => x.path === '/api/v1/supervisions')!.body).toEqual({ caseRef: 'D1', deadline: '2025-03-07T16:00:00.000Z', instruction: '限期化解' });
    expect(s.openSupervisions.map((o) => o.id)).toEqual(['S1']);
    await s.answer(s.get('supervision', 'S1') as Supervision, '已化解');
    expect(calls.find((x) => x.path === '/api/v1/supervisions/S1/answer')!.body).toEqual({ expectedVersion: 1, answer: '已化解' });
    expect(s.openSupervisions).toEqual([]);
  });
});

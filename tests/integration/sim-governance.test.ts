// The simulator's governance flows against a real stack (issue 6; DESIGN §3, §4 `npm run
// simulate`): with the scoped ingest key demo mode issues it, an in-process simulator at high
// speed posts its backlog (weeks of disputes, petitions, supervision orders, feedback) and then
// live governance facts; the server accepts every one of them (no rejection, no warning) and its
// projection of each case (obj:<kind>:<id>) ends where the simulator's own view of it is.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpenStage } from '../../shared/governance.js';
import type { IngestResponse } from '../../shared/api.js';
import { SIM_EVENT_TYPES } from '../../server/sim/event-types.js';
import type { SimEvent } from '../../server/sim/model.js';
import { Simulator } from '../../server/sim/run.js';
import { until } from '../helpers/live-client.js';
import { durableClient } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const secret = (prefix: 'pgk_' | 'pgt_') => `${prefix}${randomBytes(32).toString('base64url')}`;
const SIM_KEY = secret('pgk_');
const SIM_TOKEN = secret('pgt_');
const SEED = 6;
const SPEED = 1000;
/** Wall-clock time the simulator runs on after its backlog is in: about five simulated hours. */
const LIVE_MS = 18_000;

let s: Stack;
let r: Redis;
let sim: Simulator;
let startMs = 0;
const delivered: SimEvent[] = [];
const logs: string[] = [];

/** The simulator's view of each case after everything it delivered. */
interface View { kind: string; stage: string; level: string; escalations: number; deadline: string | null; category?: string; caseRef?: string; petitioner?: string }
const views = new Map<string, View>();

const STAGE: Record<string, string> = {
  'dispute.registered': 'registered', 'dispute.mediated': 'mediating', 'dispute.assessed': 'assessed', 'dispute.routed': 'routed',
  'dispute.resolved': 'resolved', 'dispute.closed': 'closed', 'petition.filed': 'filed', 'petition.answered': 'answered',
  'petition.closed': 'closed', 'supervision.issued': 'issued', 'supervision.answered': 'answered', 'supervision.closed': 'closed',
};

function follow(events: readonly SimEvent[]): void {
  for (const e of events) {
    const d = e.data as Record<string, any>;
    const id = (d.disputeId ?? d.petitionId ?? d.supervisionId) as string | undefined;
    if (!id) continue;
    const kind = e.type.split('.')[0]!;
    let v = views.get(id);
    if (!v) {
      v = { kind, stage: STAGE[e.type]!, level: d.level, escalations: 0, deadline: d.deadline ?? null, category: d.kind, caseRef: d.caseRef, petitioner: d.petitioner };
      views.set(id, v);
      continue;
    }
    if (e.type.endsWith('.escalated')) {
      v.level = d.level;
      v.escalations++;
    } else {
      v.stage = STAGE[e.type]!;
    }
    v.deadline = isOpenStage(kind as 'dispute', v.stage) ? d.deadline : null;
  }
}

async function objects(kind: string, ids: string[]): Promise<Map<string, any>> {
  const p = r.pipeline();
  for (const id of ids) p.hget(`obj:${kind}:${id}`, 'j');
  const res = (await p.exec()) ?? [];
  return new Map(ids.map((id, i) => [id, res[i]?.[1] ? JSON.parse(res[i]![1] as string) : null]));
}

const idsOf = (kind: string) => [...views.entries()].filter(([, v]) => v.kind === kind).map(([id]) => id);

beforeAll(async () => {
  s = await startStack({ DEMO_SIM_INGEST_KEY: SIM_KEY, DEMO_SIM_TOKEN: SIM_TOKEN });
  r = durableClient(s);
  const controller = new AbortController();
  sim = await Simulator.create({
    // no unit terminals: the token only reads the jurisdictions, as it would without SIM_TOKEN's terminals
    config: { target: s.url, key: SIM_KEY, readToken: SIM_TOKEN, seed: SEED, speed: SPEED, units: 0, backlogDays: 10 },
    signal: controller.signal,
    log: (line) => logs.push(line),
    model: { noIncidents: true },
  });
  // Every batch the simulator posts is recorded once answered; while stopping, nothing more is posted.
  const send = sim.client.send.bind(sim.client);
  let stopping = false;
  let inflight: Promise<unknown> = Promise.resolve();
  sim.client.send = (events) => {
    if (stopping) return Promise.resolve({ accepted: [], duplicates: [], rejected: [], warnings: [] } as IngestResponse);
    const p = send(events).then((answer) => {
      delivered.push(...(events as SimEvent[])); // the model's events: time is always set
      return answer;
    });
    inflight = p;
    return p;
  };
  startMs = Date.now();
  const running = sim.run();
  await until(() => delivered.some((e) => Date.parse(e.time) >= startMs), 90_000, 'the backlog to be posted');
  const liveFrom = Date.now();
  await until(() => Date.now() - liveFrom > LIVE_MS, LIVE_MS + 5_000, 'the live part');
  stopping = true;
  await inflight;
  controller.abort();
  await running;
  follow(delivered);
}, 180_000);

afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

describe('the simulator\'s governance events against a stack', () => {
  it('are all accepted with its own scoped key: no rejection, no warning, no duplicate', () => {
    const stats = sim.client.stats;
    expect(stats.rejected, logs.filter((l) => l.includes('[ingest]')).slice(0, 5).join('\n')).toBe(0);
    expect(stats.warnings, logs.filter((l) => l.includes('warning')).slice(0, 5).join('\n')).toBe(0);
    expect(stats.duplicates).toBe(0);
    expect(stats.accepted).toBe(delivered.length);
    expect(stats.sent).toBe(delivered.length);
    const granted = new Set<string>(SIM_EVENT_TYPES);
    expect(delivered.filter((e) => !granted.has(e.type) || !e.source.startsWith('sim/')).slice(0, 3)).toEqual([]);
  });

  it('cover every governance type, from the backlog and live', () => {
    const types = new Set(delivered.map((e) => e.type));
    for (const t of SIM_EVENT_TYPES.filter((x) => /^(dispute|petition|supervision|feedback|gridworker)\./.test(x))) expect(types.has(t), t).toBe(true);
    const live = delivered.filter((e) => Date.parse(e.time) >= startMs);
    expect(live.filter((e) => e.type === 'dispute.registered').length).toBeGreaterThan(0);
    expect(live.filter((e) => /^dispute\.(mediated|assessed|routed|resolved|closed)$/.test(e.type)).length).toBeGreaterThan(10);
    expect(live.filter((e) => e.type === 'gridworker.report').length).toBeGreaterThan(0);
  });

  it('leave every dispute where the simulator has it: stage, responsible level, escalations, deadline, catalogue kind', async () => {
    const ids = idsOf('dispute');
    expect(ids.length).toBeGreaterThan(500);
    const objs = await objects('dispute', ids);
    const mismatches: string[] = [];
    for (const id of ids) {
      const v = views.get(id)!;
      const o = objs.get(id);
      if (!o) {
        mismatches.push(`${id} missing`);
        continue;
      }
      const got = { stage: o.stage, level: o.responsibleLevel, escalations: o.escalations, deadline: o.deadline, category: o.category };
      const want = { stage: v.stage, level: v.level, escalations: v.escalations, deadline: v.deadline, category: v.category };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${id}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    const all = [...objs.values()];
    expect(new Set(all.map((o) => o.stage))).toEqual(new Set(['registered', 'mediating', 'assessed', 'routed', 'resolved', 'closed']));
    expect(all.some((o) => o.escalations >= 1)).toBe(true);
    // routed onward (with a department) or settled where it is (routed without one)
    expect(all.some((o) => o.department)).toBe(true);
    expect(all.some((o) => ['routed', 'resolved', 'closed'].includes(o.stage) && o.department === null)).toBe(true);
    expect(all.some((o) => o.ratings > 0)).toBe(true);
    const resolved = all.filter((o) => o.resolvedAtLevel);
    expect(resolved.filter((o) => ['grid', 'community'].includes(o.resolvedAtLevel) && !o.department).length / resolved.length).toBeGreaterThan(0.6);
    // some open ones are past their deadline: the overdue alerts have something to find
    expect(all.some((o) => o.deadline && Date.parse(o.deadline) < Date.now())).toBe(true);
  });

  it('leave petitions and supervision orders where the simulator has them', async () => {
    const pids = idsOf('petition');
    expect(pids.length).toBeGreaterThan(300);
    const petitions = await objects('petition', pids);
    const bad: string[] = [];
    for (const id of pids) {
      const v = views.get(id)!;
      const o = petitions.get(id);
      if (!o || o.stage !== v.stage || o.deadline !== v.deadline || o.petitioner !== v.petitioner || o.escalations !== v.escalations) bad.push(`${id}: ${JSON.stringify(o && { stage: o.stage, deadline: o.deadline, escalations: o.escalations })} vs ${JSON.stringify(v)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect([...petitions.values()].some((o) => o.answer)).toBe(true);

    const sids = idsOf('supervision');
    expect(sids.length).toBeGreaterThan(5);
    const orders = await objects('supervision', sids);
    for (const id of sids) {
      const o = orders.get(id);
      expect(o, id).not.toBeNull();
      expect(o.stage).toBe(views.get(id)!.stage);
      expect(o.caseRef).toBe(views.get(id)!.caseRef);
      expect(o.caseRef.startsWith(`SIM${SEED}-`)).toBe(true);
      expect(['dispute', 'petition']).toContain(o.caseKind);
      expect(o.source).toBe('sim/leader');
    }
  });
});

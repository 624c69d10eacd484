// The simulator's governance flows (issue 6), without HTTP: disputes through the "4+2" stages
// (never skipping one, mostly settled locally within days, some escalated, a few repeating),
// petitions with deadlines, supervision orders on the simulator's own overdue cases, residents'
// feedback and grid workers' rounds — deterministic per seed and scaled by SIM_SPEED.
import { beforeAll, describe, expect, it } from 'vitest';
import { DISPUTE_KINDS } from '../../shared/catalogue.js';
import { cloudEventSchema, EVENT_DATA_SCHEMAS, isEventType } from '../../shared/events.js';
import { CASE_NEXT, isOpenStage, type CaseKind } from '../../shared/governance.js';
import { LEVELS, type Level } from '../../shared/jurisdiction.js';
import type { TrackedCase } from '../../server/sim/case-run.js';
import { DAY } from '../../server/sim/context.js';
import { DISPUTE_DEADLINE_DAYS, planDispute } from '../../server/sim/disputes.js';
import { EventSink } from '../../server/sim/event-sink.js';
import { parseSimConfig } from '../../server/sim/config.js';
import { SIM_EVENT_TYPES } from '../../server/sim/event-types.js';
import { Governance } from '../../server/sim/governance.js';
import { type SimEvent, type SimGrid, SimModel } from '../../server/sim/model.js';
import { planPetition } from '../../server/sim/petitions.js';
import { Rng } from '../../server/sim/random.js';
import { localHour } from '../../server/sim/rhythm.js';
import { Scheduler } from '../../server/sim/scheduler.js';
import { CityMap, gridContains } from '../../server/sim/space.js';
import { MAX_ORDERS_PER_CASE, pickOverdue } from '../../server/sim/supervision.js';

// A 10 x 10 city of 600 m squares: urban in the middle rows, rural and suburban at the top.
const LAT0 = 30.5;
const LON0 = 114.2;
const STEP = 0.006;
function grids(): SimGrid[] {
  const out: SimGrid[] = [];
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < 10; c++) {
      const [lon, lat] = [LON0 + c * STEP, LAT0 + r * STEP];
      out.push({
        id: `G${r}${c}`, areaType: r >= 8 ? 'rural' : r >= 6 ? 'suburban' : 'urban',
        centroid: { lat: lat + STEP / 2, lon: lon + STEP / 2 }, bbox: [lon, lat, lon + STEP, lat + STEP], place: '测试街道',
      });
    }
  }
  return out;
}

// 2025-01-06 00:00 in Asia/Shanghai
const START = Date.UTC(2025, 0, 5, 16, 0);
const PREFIX = 'SIM9-t';

/** Governance alone on the sim clock: `days` simulated days after a backlog of `backlog` days, stepped hourly. */
function simulate(opts: { seed: number; days: number; speed?: number; backlog?: number }): SimEvent[] {
  const speed = opts.speed ?? 1;
  const ctx = {
    map: new CityMap(grids()), sink: new EventSink(`sim-${opts.seed}`), scheduler: new Scheduler(),
    speed, idPrefix: PREFIX, unitPrefix: 'SIM9', nowMs: START,
  };
  const gov = new Governance(ctx, new Rng(opts.seed).fork('governance'));
  gov.warmUp(START, opts.backlog ?? 10);
  ctx.scheduler.runUntil(START);
  const out = ctx.sink.drain();
  const step = 3_600_000 / speed;
  for (let t = START; t < START + (opts.days * DAY) / speed; t += step) {
    ctx.nowMs = t + step;
    gov.arrivals(t, t + step);
    ctx.scheduler.runUntil(t + step);
    out.push(...ctx.sink.drain());
  }
  return out;
}

const STAGE_OF: Record<string, [CaseKind, string]> = {
  'dispute.registered': ['dispute', 'registered'], 'dispute.mediated': ['dispute', 'mediating'], 'dispute.assessed': ['dispute', 'assessed'],
  'dispute.routed': ['dispute', 'routed'], 'dispute.resolved': ['dispute', 'resolved'], 'dispute.closed': ['dispute', 'closed'],
  'petition.filed': ['petition', 'filed'], 'petition.answered': ['petition', 'answered'], 'petition.closed': ['petition', 'closed'],
  'supervision.issued': ['supervision', 'issued'], 'supervision.answered': ['supervision', 'answered'], 'supervision.closed': ['supervision', 'closed'],
};

interface Case {
  id: string;
  kind: CaseKind;
  events: SimEvent[];
  stage: string;
  level: Level;
  deadline: number | null;
  openedAt: number;
  resolvedAt?: number;
  /** routed onward to a department */
  routed: boolean;
  escalations: number;
  late: boolean;
  resolvedAtLevel?: Level;
}

/** Replays the facts per case as a strict reader would; collects every violation. */
function followCases(events: readonly SimEvent[]) {
  const cases = new Map<string, Case>();
  const violations: string[] = [];
  for (const e of events) {
    const d = e.data as Record<string, any>;
    const t = Date.parse(e.time);
    const id = (d.disputeId ?? d.petitionId ?? d.supervisionId) as string | undefined;
    if (!id) continue;
    const target = STAGE_OF[e.type];
    let c = cases.get(id);
    if (!c) {
      if (!target || !['registered', 'filed', 'issued'].includes(target[1])) {
        violations.push(`${e.type} ${id} before it was opened`);
        continue;
      }
      c = {
        id, kind: target[0], events: [], stage: target[1], level: d.level ?? 'grid', deadline: d.deadline ? Date.parse(d.deadline) : null,
        openedAt: t, routed: false, escalations: 0, late: false,
      };
      cases.set(id, c);
      c.events.push(e);
      continue;
    }
    c.events.push(e);
    const overdue = c.deadline !== null && t > c.deadline;
    if (e.type.endsWith('.escalated')) {
      if (!isOpenStage(c.kind, c.stage)) violations.push(`${id}: escalated while ${c.stage}`);
      const up = LEVELS[LEVELS.indexOf(c.level) - 1];
      if (d.level !== up) violations.push(`${id}: escalated from ${c.level} to ${d.level}`);
      if (typeof d.reason !== 'string' || !d.reason) violations.push(`${id}: escalated without a reason`);
      c.level = d.level;
      c.escalations++;
    } else if (target) {
      const allowed = (CASE_NEXT[c.kind] as Record<string, readonly string[]>)[c.stage] ?? [];
      if (!allowed.includes(target[1])) violations.push(`${id}: ${c.stage} → ${target[1]}`);
      if (isOpenStage(c.kind, c.stage) && overdue) c.late = true;
      c.stage = target[1];
      // routed onward to a department; without one it stays where it is (settled locally)
      if (target[1] === 'routed' && typeof d.department === 'string') c.routed = true;
      if (target[1] === 'resolved' || target[1] === 'answered') {
        c.resolvedAt = t;
        c.resolvedAtLevel = c.level;
      }
    } else {
      violations.push(`${id}: unexpected ${e.type}`);
    }
    if (isOpenStage(c.kind, c.stage)) {
      if (typeof d.deadline !== 'string') violations.push(`${id}: ${e.type} leaves it open without a deadline`);
      else c.deadline = Date.parse(d.deadline);
    } else {
      c.deadline = null;
    }
  }
  return { cases, violations };
}

const share = (part: number, whole: number) => (whole === 0 ? NaN : part / whole);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

describe('governance over 45 simulated days (seed 9, SIM_SPEED 1)', () => {
  const DAYS = 45;
  let events: SimEvent[];
  let cases: Map<string, Case>;
  let violations: string[];
  let disputes: Case[];
  let petitions: Case[];
  let orders: Case[];

  beforeAll(() => {
    events = simulate({ seed: 9, days: DAYS });
    ({ cases, violations } = followCases(events));
    disputes = [...cases.values()].filter((c) => c.kind === 'dispute');
    petitions = [...cases.values()].filter((c) => c.kind === 'petition');
    orders = [...cases.values()].filter((c) => c.kind === 'supervision');
  }, 60_000);

  it('sends valid events of the simulator key\'s types only, from sim/ sources, in time order', () => {
    const granted = new Set<string>(SIM_EVENT_TYPES);
    const bad: string[] = [];
    let last = 0;
    for (const e of events) {
      const data = isEventType(e.type) ? EVENT_DATA_SCHEMAS[e.type].safeParse(e.data) : undefined;
      if (!cloudEventSchema.safeParse(e).success || !data?.success) bad.push(`invalid ${JSON.stringify(e)}`);
      if (!granted.has(e.type)) bad.push(`type ${e.type}`);
      if (!e.source.startsWith('sim/')) bad.push(`source ${e.source}`);
      if (Date.parse(e.time) < last) bad.push(`unordered ${e.id}`);
      last = Date.parse(e.time);
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const t of SIM_EVENT_TYPES.filter((x) => /^(dispute|petition|supervision|feedback|gridworker)\./.test(x))) {
      expect(events.some((e) => e.type === t), t).toBe(true);
    }
  });

  it('moves every case through its stages in order, never skipping one; escalations go one level up with a reason', () => {
    expect(violations.slice(0, 5)).toEqual([]);
    // the long-closed ones went the whole way
    const old = disputes.filter((d) => d.openedAt < START);
    expect(old.filter((d) => d.stage === 'closed').length / old.length).toBeGreaterThan(0.85);
    for (const d of disputes.filter((x) => x.stage === 'closed')) {
      const types = d.events.map((e) => e.type).filter((t) => t !== 'dispute.escalated');
      expect(types).toEqual(['dispute.registered', 'dispute.mediated', 'dispute.assessed', 'dispute.routed', 'dispute.resolved', 'dispute.closed']);
    }
  });

  it('registers disputes by grid workers, the hotline and walk-ins, with catalogue kinds weighted realistically', () => {
    const registered = disputes.map((d) => d.events[0]!);
    expect(registered.length / (DAYS + 10)).toBeGreaterThan(70);
    expect(registered.length / (DAYS + 10)).toBeLessThan(110);
    const sources = new Map<string, number>();
    const kinds = new Map<string, number>();
    for (const e of registered) {
      sources.set(e.source, (sources.get(e.source) ?? 0) + 1);
      kinds.set(String(e.data.kind), (kinds.get(String(e.data.kind)) ?? 0) + 1);
    }
    expect([...sources.keys()].sort()).toEqual(['sim/12345', 'sim/grid', 'sim/walkin']);
    expect(share(sources.get('sim/grid')!, registered.length)).toBeGreaterThan(0.45);
    expect([...kinds.keys()].every((k) => Object.hasOwn(DISPUTE_KINDS, k))).toBe(true);
    const top4 = [...kinds.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k]) => k).sort();
    expect(top4).toEqual(['family', 'labour', 'neighbour', 'property_management']);
    expect(kinds.get('land') ?? 0).toBeGreaterThan(0);
  });

  it('gives each dispute 2–3 pseudonymous parties and a place inside a grid', () => {
    const map = new CityMap(grids());
    for (const d of disputes) {
      const data = d.events[0]!.data as { parties: string[]; location: { lat: number; lon: number }; level: string; deadline: string };
      expect(data.parties.length).toBeGreaterThanOrEqual(2);
      expect(data.parties.length).toBeLessThanOrEqual(3);
      for (const p of data.parties) expect(p).toMatch(/^\S+#[2-9A-HJ-NP-Z]{4}$/);
      expect(map.grids.some((g) => gridContains(g, data.location))).toBe(true);
      expect(['grid', 'community']).toContain(data.level);
      expect(Date.parse(data.deadline) - Date.parse(d.events[0]!.time)).toBe(DISPUTE_DEADLINE_DAYS.registered * DAY);
    }
  });

  it('settles 70–85% without routing, mostly at grid or community level, within days', () => {
    const resolved = disputes.filter((d) => d.resolvedAt !== undefined);
    expect(resolved.length).toBeGreaterThan(2000);
    const withoutRouting = share(resolved.filter((d) => !d.routed).length, resolved.length);
    expect(withoutRouting).toBeGreaterThanOrEqual(0.7);
    expect(withoutRouting).toBeLessThanOrEqual(0.85);
    const locally = share(resolved.filter((d) => !d.routed && (d.resolvedAtLevel === 'grid' || d.resolvedAtLevel === 'community')).length, resolved.length);
    expect(locally).toBeGreaterThan(0.68);
    expect(locally).toBeLessThan(0.82);
    // assessments carry a risk, resolutions an outcome; those routed onward were resolved by the department
    for (const d of resolved) {
      expect(['low', 'medium', 'high']).toContain(d.events.find((e) => e.type === 'dispute.assessed')!.data.risk);
      const resolution = d.events.find((e) => e.type === 'dispute.resolved')!;
      expect(typeof resolution.data.outcome).toBe('string');
      expect(resolution.source === 'sim/dept').toBe(d.routed);
    }
    const departments = new Set(resolved.filter((d) => d.routed).map((d) => d.events.find((e) => e.type === 'dispute.routed')!.data.department));
    for (const dept of ['司法所', '劳动监察大队', '住建局', '法院诉前调解', '派出所']) expect(departments).toContain(dept);
    const local = resolved.filter((d) => !d.routed).map((d) => (d.resolvedAt! - d.openedAt) / DAY);
    expect(median(local)).toBeLessThan(5);
    expect(median(local)).toBeGreaterThan(1);
    const all = resolved.map((d) => (d.resolvedAt! - d.openedAt) / DAY).sort((a, b) => a - b);
    expect(all[Math.floor(all.length * 0.9)]).toBeLessThan(21);
  });

  it('escalates about 15% once and a few twice', () => {
    const once = share(disputes.filter((d) => d.escalations === 1).length, disputes.length);
    const twice = share(disputes.filter((d) => d.escalations === 2).length, disputes.length);
    expect(once).toBeGreaterThan(0.1);
    expect(once).toBeLessThan(0.22);
    expect(twice).toBeGreaterThan(0.01);
    expect(twice).toBeLessThan(0.06);
    expect(disputes.every((d) => d.escalations <= 2)).toBe(true);
    // escalated disputes are routed onward more often
    const routedShare = (xs: Case[]) => share(xs.filter((d) => d.routed).length, xs.length);
    expect(routedShare(disputes.filter((d) => d.escalations > 0))).toBeGreaterThan(2 * routedShare(disputes.filter((d) => d.escalations === 0)));
  });

  it('repeats 5–10% of disputes: the same place or a shared party within weeks', () => {
    const seenParties = new Map<string, number>();
    const seenPlaces = new Map<string, number>();
    let repeats = 0;
    let byParty = 0;
    let byPlace = 0;
    for (const d of [...disputes].sort((a, b) => a.openedAt - b.openedAt)) {
      const data = d.events[0]!.data as { parties: string[]; location: { lat: number; lon: number } };
      const within = (at: number | undefined) => at !== undefined && d.openedAt - at <= 42 * DAY;
      const party = data.parties.some((p) => within(seenParties.get(p)));
      const place = within(seenPlaces.get(`${data.location.lat},${data.location.lon}`));
      if (party || place) repeats++;
      if (party) byParty++;
      if (place) byPlace++;
      if ((party || place) !== Boolean(d.events[0]!.data.repeatOf)) throw new Error(`${d.id}: repeat by data but not marked, or the other way round`);
      for (const p of data.parties) seenParties.set(p, d.openedAt);
      seenPlaces.set(`${data.location.lat},${data.location.lon}`, d.openedAt);
    }
    expect(share(repeats, disputes.length)).toBeGreaterThan(0.05);
    expect(share(repeats, disputes.length)).toBeLessThan(0.1);
    expect(byParty).toBeGreaterThan(0);
    expect(byPlace).toBeGreaterThan(0);
  });

  it('lets a share of disputes miss a stage deadline (so overdue alerts appear)', () => {
    const late = share(disputes.filter((d) => d.late).length, disputes.filter((d) => d.stage === 'closed').length);
    expect(late).toBeGreaterThan(0.06);
    expect(late).toBeLessThan(0.2);
  });

  it('files petitions with a pseudonymous petitioner, a subject, a place and a 60-day deadline; answers, closes, escalates a few', () => {
    expect(petitions.length / (DAYS + 60)).toBeGreaterThan(9);
    const byPetitioner = new Map<string, number>();
    for (const p of petitions) {
      const e = p.events[0]!;
      const d = e.data as Record<string, any>;
      expect(d.petitioner).toMatch(/^P-[0-9a-f]{8}$/);
      expect(typeof d.subject).toBe('string');
      expect(Boolean(d.location) !== Boolean(d.jurisdictionId)).toBe(true);
      expect(Date.parse(d.deadline) - Date.parse(e.time)).toBe(60 * DAY);
      byPetitioner.set(d.petitioner, (byPetitioner.get(d.petitioner) ?? 0) + 1);
    }
    const repeated = [...byPetitioner.values()].filter((n) => n > 1).length;
    expect(repeated).toBeGreaterThan(10);
    const answered = petitions.filter((p) => p.resolvedAt !== undefined);
    expect(answered.length).toBeGreaterThan(0.5 * petitions.length);
    for (const p of answered) expect(typeof p.events.find((e) => e.type === 'petition.answered')!.data.answer).toBe('string');
    expect(share(answered.filter((p) => p.late).length, answered.length)).toBeLessThan(0.15);
    expect(petitions.filter((p) => p.stage === 'closed').length).toBeGreaterThan(0.3 * petitions.length);
    const escalated = share(petitions.filter((p) => p.escalations > 0).length, petitions.length);
    expect(escalated).toBeGreaterThan(0.01);
    expect(escalated).toBeLessThan(0.12);
  });

  it('issues a few supervision orders, only on its own overdue disputes and petitions, and answers and closes them', () => {
    expect(orders.length / (DAYS + 10)).toBeGreaterThan(1);
    expect(orders.length / (DAYS + 10)).toBeLessThan(5);
    for (const o of orders) {
      const issued = o.events[0]!;
      const d = issued.data as Record<string, any>;
      expect(issued.source).toBe('sim/leader');
      expect(d.caseRef.startsWith(`${PREFIX}-`)).toBe(true);
      const target = cases.get(d.caseRef);
      expect(target && target.kind !== 'supervision').toBe(true);
      // the case was open and past its deadline when the order came
      const t = Date.parse(issued.time);
      const before = target!.events.filter((e) => Date.parse(e.time) <= t && e.id !== issued.id);
      expect(before.length).toBeGreaterThan(0);
      const lastDeadline = [...before].reverse().find((e) => typeof e.data.deadline === 'string')!.data.deadline as string;
      expect(Date.parse(lastDeadline)).toBeLessThanOrEqual(t);
      expect(before.some((e) => e.type === 'dispute.resolved' || e.type === 'petition.answered')).toBe(false);
      expect(typeof d.instruction).toBe('string');
      expect(Date.parse(d.deadline)).toBeGreaterThan(t);
      expect(LEVELS).toContain(d.level);
    }
    const done = orders.filter((o) => o.stage === 'closed');
    expect(done.length).toBeGreaterThan(0.8 * orders.length);
    for (const o of done) expect(o.events.map((e) => e.type)).toEqual(['supervision.issued', 'supervision.answered', 'supervision.closed']);
    // no case is supervised more than twice
    const perCase = new Map<string, number>();
    for (const o of orders) perCase.set(String(o.events[0]!.data.caseRef), (perCase.get(String(o.events[0]!.data.caseRef)) ?? 0) + 1);
    expect(Math.max(...perCase.values())).toBeLessThanOrEqual(MAX_ORDERS_PER_CASE);
  });

  it('hears residents after resolution: mostly 4–5, sometimes low', () => {
    const feedback = events.filter((e) => e.type === 'feedback.received');
    expect(feedback.length).toBeGreaterThan(0.3 * disputes.length);
    const sats = feedback.map((e) => e.data.satisfaction as number);
    expect(share(sats.filter((s) => s >= 4).length, sats.length)).toBeGreaterThan(0.65);
    expect(share(sats.filter((s) => s <= 2).length, sats.length)).toBeGreaterThan(0.05);
    for (const e of feedback) {
      const c = cases.get(String(e.data.caseRef));
      expect(c, String(e.data.caseRef)).toBeDefined();
      expect(c!.resolvedAt).toBeLessThanOrEqual(Date.parse(e.time));
    }
  });

  it('keeps office hours at SIM_SPEED 1: mediators, departments and offices act between 08:30 and 18:00', () => {
    const office = events.filter((e) => /^(dispute\.(?!registered)|petition\.(answered|closed|escalated)|supervision\.(answered|closed))/.test(e.type));
    expect(office.length).toBeGreaterThan(10_000);
    const outside = office.filter((e) => localHour(Date.parse(e.time)) < 8.5 || localHour(Date.parse(e.time)) >= 18);
    expect(outside.slice(0, 3)).toEqual([]);
    // no burst at opening time: the first office hour holds well under a third of the day's work
    const first = office.filter((e) => localHour(Date.parse(e.time)) < 9.5).length;
    expect(first / office.length).toBeLessThan(0.3);
  });

  it('sends grid workers\' reports (hazards, dispute leads, visits) at a steady rate', () => {
    const reports = events.filter((e) => e.type === 'gridworker.report' && Date.parse(e.time) >= START);
    const perDay = reports.length / DAYS;
    expect(perDay).toBeGreaterThan(200);
    expect(perDay).toBeLessThan(320);
    const kinds = new Set(reports.map((e) => e.data.kind));
    expect([...kinds].sort()).toEqual(['dispute_lead', 'hazard', 'visit']);
    // day by day within ±40% of the mean
    const byDay = new Map<number, number>();
    for (const e of reports) byDay.set(Math.floor((Date.parse(e.time) - START) / DAY), (byDay.get(Math.floor((Date.parse(e.time) - START) / DAY)) ?? 0) + 1);
    for (const n of byDay.values()) expect(Math.abs(n - perDay) / perDay).toBeLessThan(0.4);
  });
});

describe('governance determinism and speed', () => {
  it('yields identical events for the same seed and different ones for another', () => {
    const a = simulate({ seed: 3, days: 5 });
    expect(JSON.stringify(simulate({ seed: 3, days: 5 }))).toBe(JSON.stringify(a));
    expect(JSON.stringify(simulate({ seed: 4, days: 5 }).slice(0, 50).map((e) => e.data))).not.toBe(JSON.stringify(a.slice(0, 50).map((e) => e.data)));
  });

  it('scales rates up and durations down with SIM_SPEED', () => {
    const resolutionDays = (speed: number, days: number) => {
      const { cases } = followCases(simulate({ seed: 5, days, speed, backlog: 0 }));
      const ds = [...cases.values()].filter((c) => c.kind === 'dispute');
      const times = ds.filter((d) => d.resolvedAt !== undefined).map((d) => ((d.resolvedAt! - d.openedAt) * speed) / DAY);
      return { perDay: ds.length / days, median: median(times), wallDays: ds.length > 0 ? (Math.max(...ds.map((d) => d.openedAt)) - START) / DAY : 0 };
    };
    const slow = resolutionDays(1, 20);
    const fast = resolutionDays(10, 20);
    // same simulated volumes and durations; at speed 10 they fit in a tenth of the wall-clock time
    expect(fast.perDay / slow.perDay).toBeGreaterThan(0.8);
    expect(fast.perDay / slow.perDay).toBeLessThan(1.25);
    expect(fast.median / slow.median).toBeGreaterThan(0.7);
    expect(fast.median / slow.median).toBeLessThan(1.4);
    expect(fast.wallDays).toBeLessThan(2.1);
  });
});

describe('the backlog at the start', () => {
  const run = (opts: { backlogDays?: number; quiet?: boolean }) => {
    const model = new SimModel({ grids: grids(), seed: 2, startMs: START, units: 3, speed: 1, ...opts });
    return model.step(START + 1000, 1000);
  };

  it('comes in the first batch, older than the roster, with disputes open in every stage and petitions in all of theirs', () => {
    const first = run({});
    const times = first.map((e) => Date.parse(e.time));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    const history = first.filter((e) => Date.parse(e.time) < START);
    expect(history.length).toBeGreaterThan(1000);
    expect(first.findIndex((e) => e.type === 'unit.registered')).toBeGreaterThan(history.length - 1);
    const { cases } = followCases(history);
    const stages = (kind: CaseKind) => new Set([...cases.values()].filter((c) => c.kind === kind).map((c) => c.stage));
    expect([...stages('dispute')].sort()).toEqual(['assessed', 'closed', 'mediating', 'registered', 'resolved', 'routed']);
    expect([...stages('petition')].sort()).toEqual(['answered', 'closed', 'filed']);
    const open = [...cases.values()].filter((c) => c.kind === 'dispute' && isOpenStage('dispute', c.stage));
    expect(open.length).toBeGreaterThan(100);
    // some of the open ones are already overdue
    expect(open.filter((c) => c.deadline !== null && c.deadline < START).length).toBeGreaterThan(0);
  });

  it('is left out with backlogDays 0 and in quiet mode', () => {
    expect(run({ backlogDays: 0 }).filter((e) => Date.parse(e.time) < START)).toEqual([]);
    expect(run({ quiet: true }).filter((e) => /^(dispute|petition|supervision)\./.test(e.type))).toEqual([]);
  });
});

describe('SIM_BACKLOG_DAYS', () => {
  const env = { SIM_INGEST_KEY: 'k' };
  it('defaults to 10 simulated days, takes 0 to switch the backlog off, and refuses nonsense', () => {
    expect(parseSimConfig(env).config?.backlogDays).toBe(10);
    expect(parseSimConfig({ ...env, SIM_BACKLOG_DAYS: '0' }).config?.backlogDays).toBe(0);
    expect(parseSimConfig({ ...env, SIM_BACKLOG_DAYS: '2.5' }).config?.backlogDays).toBe(2.5);
    for (const bad of ['-1', '61', 'many']) expect(parseSimConfig({ ...env, SIM_BACKLOG_DAYS: bad }).errors).toEqual([expect.stringContaining('SIM_BACKLOG_DAYS')]);
  });
});

describe('pure decisions', () => {
  it('plans every dispute stage in order for any draw, with escalations only while open and a department only when routed onward', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 2000; i++) {
      const level = rng.chance(0.5) ? 'grid' : 'community';
      const plan = planDispute(rng, rng.pick(Object.keys(DISPUTE_KINDS)), level);
      let stage = 'registered';
      for (const s of plan.steps) {
        expect(s.afterMs).toBeGreaterThan(0);
        if (s.type === 'dispute.escalated') {
          expect(isOpenStage('dispute', stage)).toBe(true);
          continue;
        }
        expect((CASE_NEXT.dispute as Record<string, readonly string[]>)[stage]).toContain(s.stage);
        stage = s.stage;
      }
      expect(stage).toBe('closed');
      expect(plan.steps.filter((s) => s.type !== 'dispute.escalated').map((s) => s.stage)).toEqual(['mediating', 'assessed', 'routed', 'resolved', 'closed']);
      expect(plan.steps.filter((s) => s.type === 'dispute.escalated')).toHaveLength(plan.escalations);
      expect(typeof plan.steps.find((s) => s.type === 'dispute.routed')!.data.department === 'string').toBe(plan.routed);
    }
  });

  it('plans petitions: escalation keeps the deadline, then answered and closed', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 500; i++) {
      const plan = planPetition(rng, 'district');
      expect(plan.steps.slice(-2).map((s) => s.type)).toEqual(['petition.answered', 'petition.closed']);
      for (const s of plan.steps.filter((x) => x.type === 'petition.escalated')) expect(s).toMatchObject({ deadlineMs: 'keep', level: 'city' });
    }
  });

  it('supervises only open, overdue cases without a pending order, most overdue first', () => {
    const c = (id: string, over: Partial<TrackedCase>): TrackedCase => ({
      id, kind: 'dispute', stage: 'mediating', deadlineAt: 1000, responsibleLevel: 'grid', openedAt: 0, supervisions: 0, underSupervision: false, ...over,
    });
    const cases = [
      c('not-due', { deadlineAt: 5000 }), c('none', { deadlineAt: null }), c('resolved', { stage: 'resolved', deadlineAt: 10 }),
      c('pending', { underSupervision: true, deadlineAt: 10 }), c('twice', { supervisions: 2, deadlineAt: 10 }),
      c('a', { deadlineAt: 100 }), c('b', { deadlineAt: 200 }), c('c', { deadlineAt: 300 }), c('d', { deadlineAt: 400 }),
    ];
    const picked = new Set<string>();
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) picked.add(pickOverdue(cases, 2000, rng)!.id);
    expect([...picked].sort()).toEqual(['a', 'b', 'c']);
    expect(pickOverdue(cases.slice(0, 5), 2000, rng)).toBeUndefined();
  });
});

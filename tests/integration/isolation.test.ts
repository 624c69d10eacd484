// Jurisdiction isolation (DESIGN §5, §11; issue 4): a minute of mixed traffic in two districts A and
// B (plus a third district and city-level noise), every frame and every REST answer of both
// district duty officers captured. Nothing about the other district reaches them — no entry, no
// position, no record — except what the design says: an entry that moves an incident carries both
// chains and reaches both districts, after which the old district hears nothing more of it; a unit
// is seen where it is homed and where it is now. A forged room join or a forged lastSeq gains nothing.
import type { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSeq } from '../../shared/seq.js';
import { as, type Client } from '../helpers/auth.js';
import {
  A, B, CITY, CROSSER, districtAt, entryProblems, foreignIds, homeOf, idIn, MOVES, moveEvent, moverVisibility, other, positionProblems,
  setupEvents, tickEvents,
} from '../helpers/isolation.js';
import { connectLive, until, type Recorder } from '../helpers/live-client.js';
import { connected, hasAll, ingestAll, logAfter, seqsOf, sleep } from '../helpers/live-data.js';
import { durableClient, type RawAnswer } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TICKS = 120;
const TICK_MS = 500;
/** the reconnecting client is away from tick 50 to tick 60 (A → B move at 55 falls into the gap) */
const AWAY = [50, 60];

let s: Stack;
let r: Redis;
const duty: Record<string, Client> = {};
const open: Recorder[] = [];
/** every event name each socket received after its first hello: nothing but hello, events and positions (no presence, no resync) */
const names = new Map<Recorder, Set<string>>();

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  for (const d of [A, B]) duty[d] = await as(s, `duty-${d}`);
  await ingestAll(s.url, setupEvents());
});
afterAll(async () => {
  for (const c of open) c.close();
  r?.disconnect();
  await s?.stop();
});

function track(c: Recorder): Recorder {
  open.push(c);
  const seen = new Set<string>();
  names.set(c, seen);
  c.socket.onAny((ev: string) => seen.add(ev));
  return c;
}
const live = async (d: string, opts: Parameters<typeof connectLive>[2] = {}) => track(await connected(s.url, duty[d]!.cookie, opts));

/** Seqs of the log after `after` whose jurisdiction contains `d`, straight from Redis. */
async function visibleLog(d: string, after: string | null): Promise<string[]> {
  return (await logAfter(r, after)).filter((e) => e.jurisdiction.includes(d)).map((e) => e.seq);
}

interface Poll { path: string; res: RawAnswer; startedAt: number; endedAt: number }

/** A district duty officer's REST client polling lists, the log, and the other district's objects by id. */
function poller(d: string, tick: () => number, stop: () => boolean) {
  const polls: Poll[] = [];
  const log: any[] = [];
  const get = async (path: string) => {
    const startedAt = Date.now();
    const res = await duty[d]!.get(path);
    polls.push({ path, res, startedAt, endedAt: Date.now() });
    return res;
  };
  let after: string | null = null;
  async function walkLog() {
    for (;;) {
      const res = await get(`/log?limit=500${after ? `&after=${after}` : ''}`);
      log.push(...(res.body?.items ?? []));
      if (res.status !== 200 || res.body.nextAfter === after) return;
      after = res.body.nextAfter;
    }
  }
  const done = (async () => {
    while (!stop()) {
      const t = tick();
      await get('/incidents?limit=500');
      await get('/units');
      await walkLog();
      const foreign = foreignIds(d, t);
      for (const id of [...foreign.incidents, ...MOVES.map((m) => m.id)]) await get(`/incidents/${id}`);
      for (const id of foreign.units) for (const p of [`/units/${id}`, `/units/${id}/trail`]) await get(p);
      for (const scope of [other(d), CITY, idIn(other(d), 'nonsense')]) for (const list of ['incidents', 'units']) await get(`/${list}?scope=${scope}`);
      await get(`/incidents/${idIn(d, `i${Math.max(0, t - 1)}`)}`);
      await sleep(600);
    }
    await walkLog();
  })();
  return { polls, log, done };
}

/** Everything wrong with what `d`'s REST client was told. */
function restProblems(d: string, polls: Poll[]): string[] {
  const out: string[] = [];
  const moverCheck = (id: string, present: boolean, p: Poll) => {
    const m = MOVES.find((x) => x.id === id)!;
    const want = moverVisibility(d, m, p.startedAt, p.endedAt);
    if (want !== 'either' && present !== (want === 'visible')) out.push(`${d} ${p.path}: ${id} ${present ? 'present' : 'absent'}, want ${want}`);
  };
  for (const p of polls) {
    const { status, body } = p.res;
    const [path, query] = p.path.split('?') as [string, string | undefined];
    const seg = path.split('/').filter(Boolean);
    const fail = (why: string) => out.push(`${d} GET ${p.path} → ${status}: ${why}`);
    if (query?.startsWith('scope=')) {
      if (status !== 404 || body?.error?.code !== 'not_found') fail('another scope must not exist');
    } else if (seg.length === 1 && seg[0] === 'incidents') {
      if (status !== 200) { fail('list'); continue; }
      for (const i of body.items) {
        if (!i.jurisdiction.includes(d)) fail(`${i.id} in ${i.jurisdiction}`);
        if (MOVES.some((m) => m.id === i.id)) continue;
        if (homeOf(i.id) !== d) fail(`${i.id} is not ${d}'s`);
        if (i.location && districtAt(i.location) !== d) fail(`${i.id} located in ${districtAt(i.location)}`);
      }
      for (const m of MOVES) moverCheck(m.id, body.items.some((i: { id: string }) => i.id === m.id), p);
    } else if (seg.length === 1 && seg[0] === 'units') {
      if (status !== 200) { fail('list'); continue; }
      for (const u of body.items) if (!u.jurisdiction.includes(d) || homeOf(u.id) !== d) fail(`unit ${u.id} (${u.jurisdiction})`);
    } else if (seg[0] === 'log') {
      if (status !== 200) fail('log page');
      else for (const e of body.items) out.push(...entryProblems(d, e));
    } else if (seg[0] === 'units') {
      if (status !== 404) fail('another district’s unit must not exist');
    } else if (MOVES.some((m) => m.id === seg[1])) {
      if (![200, 404].includes(status)) fail('mover');
      moverCheck(seg[1]!, status === 200, p);
      if (status === 200 && !body.jurisdiction.includes(d)) fail(`mover in ${body.jurisdiction}`);
      // the history travels with the incident: its timeline holds only entries about it
      if (status === 200) for (const e of body.timeline) if (e.data.incidentId !== seg[1]) fail(`timeline entry ${e.seq} about ${e.data.incidentId}`);
    } else if (homeOf(seg[1]!) === d) {
      if (status !== 200) { if (status !== 404 || !seg[1]!.endsWith('-i0')) fail('own incident'); continue; }
      for (const e of body.timeline) out.push(...entryProblems(d, e));
    } else if (status !== 404 || body?.error?.code !== 'not_found') fail('another district’s incident must not exist');
  }
  return out;
}

/** Emits what a client might try to get into another room: Socket.IO has no client-side join, the server must ignore them. */
function forgeJoins(c: Recorder, d: string, t: number, acks: unknown[]): void {
  const raw = c.socket as unknown as Socket;
  const o = other(d);
  for (const room of [`d:masked:${o}`, `d:pii:${o}`, `d:masked:${CITY}`, `d:pii:${o},${d}`, 'user:admin']) {
    raw.emit('join', room);
    raw.emit('join', { room }, (ack: unknown) => acks.push(ack));
  }
  raw.emit('subscribe', { scopes: [o, CITY] });
  raw.emit('subscribe', o);
  raw.emit('scope', [o]);
  raw.emit('view', { objectKind: 'incident', objectId: foreignIds(d, t).incidents[0] });
  raw.emit('view', { objectKind: 'unit', objectId: foreignIds(d, t).units[0] });
}

describe('jurisdiction isolation over a minute of mixed traffic', () => {
  it('district duty officers get zero frames, positions or records of the other district, live and over REST', async () => {
    const [a1, b1, a2, forger] = [await live(A), await live(B), await live(A), await live(A, { extraAuth: { scopes: [B, CITY], room: `d:pii:${B}`, user: { scopes: [CITY] } } })];
    const from = new Map([a1, b1, a2, forger].map((c) => [c, c.hello!.headSeq]));
    const acks: unknown[] = [];
    let t = 0;
    let stopped = false;
    const rest = { [A]: poller(A, () => t, () => stopped), [B]: poller(B, () => t, () => stopped) };
    for (; t < TICKS; t++) {
      const started = Date.now();
      const m = MOVES.find((x) => x.tick === t);
      if (m) {
        m.startedAt = Date.now();
        [m.seq] = await ingestAll(s.url, [moveEvent(m)]);
        m.endedAt = Date.now();
      }
      await ingestAll(s.url, tickEvents(t));
      if (t === AWAY[0]) a2.socket.disconnect();
      if (t === AWAY[1]) a2.socket.connect();
      if (t % 10 === 3) forgeJoins(forger, A, t, acks);
      await sleep(Math.max(0, TICK_MS - (Date.now() - started)));
    }
    stopped = true;
    await Promise.all([rest[A]!.done, rest[B]!.done]);

    // every client got exactly its district's part of the log since it connected: no gap, nothing more
    for (const [c, d] of [[a1, A], [b1, B], [a2, A], [forger, A]] as const) {
      const want = await visibleLog(d, from.get(c)!);
      await until(() => hasAll(c, want), 20_000, `${d}: its entries`);
      await sleep(300);
      expect(c.entries().flatMap((e) => entryProblems(d, e))).toEqual([]);
      expect(c.positions.flatMap((f) => f.units).flatMap((p) => positionProblems(d, p))).toEqual([]);
      expect(seqsOf(c)).toEqual(want);
      expect(want.length).toBeGreaterThan(500);
      expect(c.resyncs).toEqual([]);
      expect([...names.get(c)!].filter((n) => !['hello', 'events', 'positions'].includes(n))).toEqual([]);
      expect(names.get(c)!.has('positions')).toBe(true);
    }
    expect(a2.socket.connected).toBe(true);
    expect(acks).toEqual([]);

    // the two move entries are the only ones naming both districts; each reached both sides, and afterwards
    // the old district heard nothing more about the incident while the new one heard all of it
    for (const [c, d] of [[a1, A], [b1, B], [a2, A]] as const) {
      expect(c.entries().filter((e) => e.jurisdiction.includes(other(d))).map((e) => e.seq)).toEqual(MOVES.map((m) => m.seq));
      for (const m of MOVES) {
        const about = c.entries().filter((e) => (e.data as { incidentId?: string }).incidentId === m.id);
        const later = about.filter((e) => compareSeq(e.seq, m.seq!) > 0);
        const earlier = about.filter((e) => compareSeq(e.seq, m.seq!) < 0);
        expect(about.some((e) => e.seq === m.seq && e.movedFrom !== undefined)).toBe(true);
        expect(d === m.from ? later : earlier).toEqual([]);
        expect((d === m.from ? earlier : later).length).toBeGreaterThan(5);
      }
    }
    // positions: each side sees its own units; the crossing unit (homed in A) shows in B only while it is in B
    const fixes = (c: Recorder) => c.positions.flatMap((f) => f.units);
    expect(new Set(fixes(a1).map((p) => homeOf(p.unitId)))).toEqual(new Set([A]));
    const crossInB = fixes(b1).filter((p) => p.unitId === CROSSER);
    expect(crossInB.length).toBeGreaterThan(0);
    expect(crossInB.every((p) => districtAt(p) === B)).toBe(true);
    expect(fixes(a1).some((p) => p.unitId === CROSSER && districtAt(p) === B)).toBe(true);

    // REST: every answer checked; the REST log equals the district's part of the whole log
    for (const d of [A, B]) {
      expect(rest[d]!.polls.length).toBeGreaterThan(500);
      expect(restProblems(d, rest[d]!.polls)).toEqual([]);
      expect(rest[d]!.log.map((e) => e.seq)).toEqual(await visibleLog(d, null));
    }
  }, 150_000);

  it('a forged lastSeq (0-0, just before the other district’s first entry) or forged handshake fields replay only the own scope', async () => {
    const log = await logAfter(r, null);
    const epoch = open[0]!.hello!.logEpoch;
    for (const d of [A, B]) {
      // the seq just before the first run of the other district's entries (none of them visible to d)
      const foreign = (k: number) => log[k]!.jurisdiction.includes(other(d)) && !log[k]!.jurisdiction.includes(d);
      const firstForeign = log.findIndex((_, k) => k > 0 && foreign(k) && !foreign(k - 1));
      expect(firstForeign).toBeGreaterThan(0);
      for (const lastSeq of ['0-0', log[firstForeign - 1]!.seq, log[Math.floor(log.length / 2)]!.seq]) {
        const c = await live(d, { lastSeq, logEpoch: epoch, extraAuth: { scopes: [other(d), CITY], room: `d:pii:${other(d)}`, lastSeen: '0-0' } });
        const want = await visibleLog(d, lastSeq);
        await until(() => hasAll(c, want), 20_000, `${d} replay after ${lastSeq}`);
        await sleep(300);
        expect(seqsOf(c)).toEqual(want);
        expect(c.entries().flatMap((e) => entryProblems(d, e))).toEqual([]);
        expect(c.resyncs).toEqual([]);
        c.close();
      }
    }
    // a forged epoch or a lastSeq beyond the log gets a resync, not entries
    for (const opts of [{ lastSeq: '0-0', logEpoch: 'forged-epoch' }, { lastSeq: '99999999999999-0', logEpoch: epoch }]) {
      const c = await live(A, opts);
      await until(() => c.resyncs.length > 0, 10_000, 'resync');
      expect(c.entries()).toEqual([]);
    }
    // there is no other namespace to connect to
    const nsp = io(`${s.url}/admin`, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: { cookie: duty[A]!.cookie, origin: s.url } });
    const errors: string[] = [];
    nsp.on('connect_error', (e) => errors.push(e.message));
    await until(() => errors.length > 0, 10_000, 'connect_error');
    expect(errors[0]).toMatch(/invalid namespace/i);
    nsp.close();
  }, 60_000);
});

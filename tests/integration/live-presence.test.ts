// Presence (DESIGN §2, §5): `view {objectKind, objectId}` puts a socket in the object's presence room;
// `presence {objectKind, objectId, users}` goes to the room across server instances through the
// Socket.IO adapter. Only objects in the viewer's scope count; malformed payloads are ignored;
// nothing reaches the log or any Redis key.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence } from '../../shared/live.js';
import { ADAPTER_OPTIONS } from '../../server/live/socket-server.js';
import type { RunningServer } from '../../server/runtime.js';
import { until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, connected, incidentIn, ingestAll, sleep } from '../helpers/live-data.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let other: RunningServer;
let r: Redis;
let coordinator: string;
let leader: string;
let dutyD3: string;
let dutyD2: string;
const open: Recorder[] = [];
/** presence frames each recorder received, in arrival order */
const seen = new Map<Recorder, Presence[]>();

beforeAll(async () => {
  s = await startStack();
  other = await s.startExtraServer();
  r = new Redis(s.redis.url);
  [coordinator, leader, dutyD3, dutyD2] = await Promise.all([s.login('coordinator'), s.login('leader'), s.login(`duty-${D3}`), s.login(`duty-${D2}`)]);
  await ingestAll(s.url, [incidentIn('PR-1', D2), incidentIn('PR-2', D2, 1), incidentIn('PR-3', D3)]);
});
afterAll(async () => {
  for (const c of open) c.close();
  r?.disconnect();
  await s?.stop();
});

/** Connects to `url` (instance 1 by default) and records presence frames. */
async function viewer(cookie: string, url = s.url): Promise<Recorder> {
  const c = await connected(url, cookie);
  open.push(c);
  const frames: Presence[] = [];
  seen.set(c, frames);
  c.socket.on('presence', (p) => frames.push(p));
  return c;
}

const framesOf = (c: Recorder) => seen.get(c)!;
const latest = (c: Recorder, kind: string, id: string) => framesOf(c).filter((p) => p.objectKind === kind && p.objectId === id).at(-1);
/** ids listed by the latest presence `c` received for the object */
const listed = (c: Recorder, kind: string, id: string) => latest(c, kind, id)?.users.map((u) => u.id);
const idOf = (c: Recorder) => c.hello!.user.id;
const sorted = (...ids: string[]) => [...ids].sort();

async function waitListed(c: Recorder, kind: string, id: string, want: string[], what: string): Promise<void> {
  const w = JSON.stringify(sorted(...want));
  await until(() => JSON.stringify(listed(c, kind, id)) === w, 10_000, what);
}

describe('presence across two instances', () => {
  it('lists both viewers to both, then only the one left when the other moves on or disconnects', async () => {
    const logBefore = await r.xlen('log');
    const keysBefore = (await r.keys('*')).sort();

    const a = await viewer(coordinator); // instance 1
    const b = await viewer(leader, other.url); // instance 2
    a.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    b.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    await waitListed(a, 'incident', 'PR-1', [idOf(a), idOf(b)], 'A to see A and B');
    await waitListed(b, 'incident', 'PR-1', [idOf(a), idOf(b)], 'B to see A and B');
    const both = latest(a, 'incident', 'PR-1')!;
    expect(both.users).toEqual(expect.arrayContaining([
      { id: idOf(a), displayName: a.hello!.user.displayName }, { id: idOf(b), displayName: b.hello!.user.displayName },
    ]));

    // B switches to another object: A is alone on PR-1, B alone on PR-2
    b.socket.emit('view', { objectKind: 'incident', objectId: 'PR-2' });
    await waitListed(a, 'incident', 'PR-1', [idOf(a)], 'A to see only A');
    await waitListed(b, 'incident', 'PR-2', [idOf(b)], 'B to see itself on PR-2');

    // back again, then B's socket goes away
    b.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    await waitListed(a, 'incident', 'PR-1', [idOf(a), idOf(b)], 'A to see B again');
    b.close();
    await waitListed(a, 'incident', 'PR-1', [idOf(a)], 'A to see only A after B disconnected');

    // `view null` ends viewing: a second viewer then sees only itself
    const c = await viewer(leader);
    a.socket.emit('view', null);
    c.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    await waitListed(c, 'incident', 'PR-1', [idOf(c)], 'C alone after A stopped viewing');
    await sleep(1_500); // past the confirming recompute
    expect(listed(c, 'incident', 'PR-1')).toEqual([idOf(c)]);
    c.close();
    a.close();
    await sleep(500);

    // ephemeral: nothing in the log, no key added or removed (but the adapter's own capped stream,
    // which carries cross-instance control and presence by design)
    expect(await r.xlen('log')).toBe(logBefore);
    const notAdapter = (ks: string[]) => ks.filter((k) => k !== ADAPTER_OPTIONS.streamName).sort();
    expect(notAdapter(await r.keys('*'))).toEqual(notAdapter(keysBefore));
    expect(await r.keys('*presence*')).toEqual([]);
  });

  it('one user with several sockets (two instances) is listed once', async () => {
    const a1 = await viewer(coordinator);
    const a2 = await viewer(coordinator, other.url);
    const d = await viewer(dutyD2, other.url);
    for (const x of [a1, a2, d]) x.socket.emit('view', { objectKind: 'incident', objectId: 'PR-2' });
    await waitListed(d, 'incident', 'PR-2', [idOf(a1), idOf(d)], 'the district duty officer to see two users');
    expect(idOf(a1)).toBe(idOf(a2));
    await waitListed(a1, 'incident', 'PR-2', [idOf(a1), idOf(d)], 'A (instance 1) to see two users');
    await waitListed(a2, 'incident', 'PR-2', [idOf(a1), idOf(d)], 'A (instance 2) to see two users');
    for (const x of [a1, a2, d]) x.close();
  });
});

describe('scope', () => {
  it('a viewer without scope over the object is ignored: not listed, sent nothing', async () => {
    const a = await viewer(coordinator);
    const outsider = await viewer(dutyD3, other.url); // duty officer of another district
    a.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    await waitListed(a, 'incident', 'PR-1', [idOf(a)], 'A alone');
    outsider.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    outsider.socket.emit('view', { objectKind: 'incident', objectId: 'NO-SUCH-INCIDENT' });
    await sleep(1_500);
    expect(framesOf(outsider)).toEqual([]);
    expect(framesOf(a).flatMap((p) => p.users.map((u) => u.id))).not.toContain(idOf(outsider));
    expect(listed(a, 'incident', 'PR-1')).toEqual([idOf(a)]);

    // its own district's incident is fine
    outsider.socket.emit('view', { objectKind: 'incident', objectId: 'PR-3' });
    await waitListed(outsider, 'incident', 'PR-3', [idOf(outsider)], 'the duty officer on its own incident');
    a.close();
    outsider.close();
  });
});

describe('malformed view payloads', () => {
  it('are ignored: no crash, no disconnect, the current view stays', async () => {
    const a = await viewer(coordinator);
    const m = await viewer(leader, other.url);
    const reasons: string[] = [];
    m.socket.on('disconnect', (why) => reasons.push(why));
    a.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    m.socket.emit('view', { objectKind: 'incident', objectId: 'PR-1' });
    await waitListed(a, 'incident', 'PR-1', [idOf(a), idOf(m)], 'both viewers');
    const junk: unknown[] = [
      42, 'incident', true, [], {}, { objectKind: 'incident' }, { objectId: 'PR-1' },
      { objectKind: 'nope', objectId: 'PR-1' }, { objectKind: 'incident', objectId: 7 }, { objectKind: 'incident', objectId: '' },
      { objectKind: 'incident', objectId: 'x'.repeat(129) }, { objectKind: ['incident'], objectId: ['PR-1'] },
      { objectKind: 'incident', objectId: { toString: 'PR-1' } }, { objectKind: '__proto__', objectId: 'constructor' },
    ];
    for (const j of junk) m.socket.emit('view', j as any);
    (m.socket as any).emit('view'); // no argument at all
    (m.socket as any).emit('view', { objectKind: 'incident', objectId: 'PR-1' }, 'extra', () => undefined);
    await sleep(1_500);
    expect(reasons).toEqual([]);
    expect(m.socket.connected).toBe(true);
    // junk leaves the current view alone: both are still listed
    expect(listed(a, 'incident', 'PR-1')).toEqual(sorted(idOf(a), idOf(m)));
    // the server still works on both instances
    m.socket.emit('view', { objectKind: 'incident', objectId: 'PR-2' });
    await waitListed(m, 'incident', 'PR-2', [idOf(m)], 'a valid view after the junk');
    await waitListed(a, 'incident', 'PR-1', [idOf(a)], 'A alone once M moved on');
    expect((await s.get('/incidents/PR-1', coordinator)).status).toBe(200);
    a.close();
    m.close();
  });
});

describe('coalescing', () => {
  it('many viewers joining together cause a few presence frames, not one per viewer', async () => {
    const n = 40;
    const crowd = await Promise.all(Array.from({ length: n }, (_, i) => viewer(i % 2 ? coordinator : leader, i % 3 ? s.url : other.url)));
    for (const c of crowd) c.socket.emit('view', { objectKind: 'incident', objectId: 'PR-3' });
    await waitListed(crowd[0]!, 'incident', 'PR-3', [idOf(crowd[0]!), idOf(crowd[1]!)], 'the crowd');
    await sleep(1_500);
    const counts = crowd.map((c) => framesOf(c).length);
    expect(Math.max(...counts)).toBeLessThanOrEqual(8);
    for (const c of crowd) expect(listed(c, 'incident', 'PR-3')).toEqual(sorted(idOf(crowd[0]!), idOf(crowd[1]!)));
    for (const c of crowd) c.close();
  });
});

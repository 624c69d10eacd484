// Slow consumers (DESIGN §5): a socket whose send buffer passes 4 MiB is disconnected (and would
// resume from lastSeq); a normal client of the same delivery room keeps receiving everything.
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, connected, hasAll, incidentIn, ingestAll, seqsOf, sleep, strictlyIncreasing } from '../helpers/live-data.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let coordinator: string;
const open: { close(): void }[] = [];
beforeAll(async () => {
  s = await startStack();
  coordinator = await s.login('coordinator');
});
afterAll(async () => {
  for (const c of open) c.close();
  await s?.stop();
});

/** A raw Engine.IO/Socket.IO v4 client over `ws`: completes the handshake, then records packets. */
async function rawClient(url: string, cookie: string): Promise<{ ws: WebSocket; packets: string[]; closed: () => boolean }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { cookie, origin: url } });
  const packets: string[] = [];
  let closed = false;
  ws.on('message', (data) => {
    const p = String(data);
    packets.push(p);
    if (p.startsWith('0{')) ws.send('40'); // engine.io open → connect to the main namespace
    if (p === '2') ws.send('3'); // ping → pong
  });
  ws.on('close', () => (closed = true));
  ws.on('error', () => undefined);
  open.push({ close: () => ws.terminate() });
  await until(() => packets.some((p) => p.startsWith('42["hello"')), 15_000, 'hello on the raw socket');
  return { ws, packets, closed: () => closed };
}

/** What the server holds for a connection: ws' unsent bytes and engine.io's write buffer. */
function queuedBytes(conn: unknown): number {
  const c = conn as { writeBuffer?: { data?: unknown }[]; transport?: { socket?: { bufferedAmount?: number } } };
  const queued = (c.writeBuffer ?? []).reduce((n, p) => n + (typeof p.data === 'string' ? Buffer.byteLength(p.data) : 0), 0);
  return (c.transport?.socket?.bufferedAmount ?? 0) + queued;
}

describe('slow consumer', () => {
  it('cuts off a client that stopped reading while a normal client of the same room gets every entry', async () => {
    const io = s.server.live.io;
    const reasons = new Map<string, string>();
    const queuedAtCut = new Map<string, number>();
    io.on('connection', (sock) => sock.on('disconnect', (reason) => {
      reasons.set(sock.id, reason);
      queuedAtCut.set(sock.id, queuedBytes(sock.conn));
    }));

    const normal: Recorder = await connected(s.url, coordinator);
    open.push(normal);
    const before = new Set(io.of('/').sockets.keys());
    const slow = await rawClient(s.url, coordinator);
    const slowId = [...io.of('/').sockets.keys()].find((id) => !before.has(id))!;
    expect(slowId).toBeDefined();
    // stop reading: the kernel buffers fill, then the server's send buffer grows
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const summary = '某小区东门附近发生纠纷，现场有多人围观，请派员处置。'.repeat(8).slice(0, 200);
    const seqs: string[] = [];
    // at least ~10 MB of frames; more until the cut-off, at most 60,000 entries
    for (let b = 0; b < 60 && (b < 15 || !reasons.has(slowId)); b++) {
      const events = Array.from({ length: 1000 }, (_, i) => incidentIn(`SL-${b}-${i}`, i % 2 ? D2 : D3, i, { summary }));
      seqs.push(...(await ingestAll(s.url, events)));
    }
    await until(() => reasons.has(slowId), 60_000, 'the slow consumer to be cut off');
    // cut off for its send buffer, not by the ping timeout that would end a dead peer anyway
    expect(reasons.get(slowId)).toBe('server namespace disconnect');
    expect(io.of('/').sockets.has(slowId)).toBe(false);
    expect(queuedAtCut.get(slowId)).toBeGreaterThan(4 * 1024 * 1024);

    // the normal client, in the same delivery room, got everything, once and in order
    await until(() => hasAll(normal, seqs), 120_000, 'the normal client to receive everything');
    await sleep(500);
    const got = seqsOf(normal);
    expect(got).toEqual(seqs);
    expect(strictlyIncreasing(got)).toBe(true);
    expect(normal.socket.connected).toBe(true);
    expect(reasons.has(normal.socket.id!)).toBe(false);
  }, 240_000);
});

// The pure parts of the audit trail: stored JSON, hash links, parsing, trim point, and the
// events the HTTP layer builds (login attempts, reporter reads).
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { chainRecords, GENESIS, isStreamId, parseRecord, recordJson, sha256Hex, storedJson } from '../../server/audit/chain.js';
import { clientAddress, loginEvent, loginResult, reporterIncidentIds, roleOf } from '../../server/audit/events.js';
import type { AuditEvent } from '../../server/audit/types.js';
import { auditRecordSchema } from '../../shared/api.js';

const T = '2026-11-28T10:00:00.000Z';
const ev = (action: string, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  user: 'admin', role: 'admin', action, object: null, result: 'success', address: '10.0.0.1', ...extra,
});
const req = (ip: string | undefined) => ({ ip, socket: { remoteAddress: ip } }) as unknown as Request;

describe('record JSON and the chain', () => {
  it('stores the record without an id, fields in a fixed order, details only when given', () => {
    const j = recordJson(ev('auth.login', { object: 'admin' }), T, GENESIS);
    expect(j).toBe(`{"time":"${T}","user":"admin","role":"admin","action":"auth.login","object":"admin","result":"success","address":"10.0.0.1","prevHash":"${GENESIS}"}`);
    expect(JSON.parse(recordJson(ev('x', { details: { n: 1 } }), T, GENESIS)).details).toEqual({ n: 1 });
    expect(GENESIS).toMatch(/^0{64}$/);
  });

  it('links each record to the SHA-256 (hex) of the previous stored JSON', () => {
    const { jsons, prevHashes, head } = chainRecords(GENESIS, [{ e: ev('a'), time: T }, { e: ev('b'), time: T }, { e: ev('c'), time: T }]);
    expect(prevHashes[0]).toBe(GENESIS);
    for (let i = 1; i < 3; i++) {
      const expected = createHash('sha256').update(jsons[i - 1]!).digest('hex');
      expect(prevHashes[i]).toBe(expected);
      expect(JSON.parse(jsons[i]!).prevHash).toBe(expected);
    }
    expect(head).toBe(sha256Hex(jsons[2]!));
    // the same events on another head give other hashes all the way down
    expect(chainRecords('f'.repeat(64), [{ e: ev('a'), time: T }]).head).not.toBe(sha256Hex(jsons[0]!));
  });

  it('hashes the UTF-8 bytes (names and places are often Chinese)', () => {
    const j = recordJson(ev('reporter.read', { user: '张三', object: 'JQ-1' }), T, GENESIS);
    expect(sha256Hex(j)).toBe(createHash('sha256').update(Buffer.from(j, 'utf8')).digest('hex'));
  });

  it('reads a stored record back, validated by the shared schema', () => {
    const j = recordJson(ev('auth.logout'), T, GENESIS);
    const rec = parseRecord('1700000000000-0', j)!;
    expect(auditRecordSchema.parse(rec)).toEqual({ id: '1700000000000-0', ...JSON.parse(j) });
    expect(parseRecord('1-0', 'not json')).toBeNull();
    expect(parseRecord('1-0', JSON.stringify({ time: T, action: 'x' }))).toBeNull();
    expect(parseRecord('1-0', j.replace('"success"', '"maybe"'))).toBeNull();
    expect(storedJson(['x', '1', 'r', j])).toBe(j);
    expect(storedJson(['x', '1'])).toBeNull();
  });

  it('takes only stream ids as cursors', () => {
    expect(isStreamId('1700000000000-3')).toBe(true);
    for (const bad of ['', '+', '-', '1700000000000', 'abc-1', '1-2-3', '(1-0']) expect(isStreamId(bad)).toBe(false);
  });
});

describe('audit events of the HTTP layer', () => {
  const account = { roles: ['coordinator'] as const, disabled: false };

  it('classifies login attempts and never carries the password', () => {
    expect(loginResult(null, false)).toBe('failure');
    expect(loginResult(account, false)).toBe('failure');
    expect(loginResult({ disabled: true }, true)).toBe('denied');
    expect(loginResult(account, true)).toBe('success');
    const r = req('::ffff:192.168.1.9');
    expect(loginEvent(r, 'nobody', null, 'failure')).toEqual({
      user: 'nobody', role: null, action: 'auth.login', object: 'nobody', result: 'failure', address: '192.168.1.9', details: { reason: 'unknown_user' },
    });
    expect(loginEvent(r, 'c', { roles: ['coordinator'], disabled: false }, 'failure').details).toEqual({ reason: 'wrong_password' });
    expect(loginEvent(r, 'c', { roles: ['coordinator'], disabled: true }, 'denied').details).toEqual({ reason: 'disabled' });
    expect(loginEvent(r, 'c', { roles: ['coordinator'], disabled: false }, 'denied', { reason: 'throttled', retryAfter: 4 }).details).toEqual({ reason: 'throttled', retryAfter: 4 });
    const ok = loginEvent(r, 'c', { roles: ['coordinator', 'leader'], disabled: false }, 'success');
    expect(ok).toMatchObject({ role: 'coordinator,leader', result: 'success' });
    expect(ok.details).toBeUndefined();
  });

  it('normalises addresses and roles', () => {
    expect(clientAddress(req('127.0.0.1'))).toBe('127.0.0.1');
    expect(clientAddress(req('::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(clientAddress(req('2001:db8::1'))).toBe('2001:db8::1');
    expect(clientAddress(req(undefined))).toBeNull();
    expect(roleOf([])).toBeNull();
    expect(roleOf(['admin'])).toBe('admin');
  });

  it('finds the incidents whose reporter data an answer carries, each once', () => {
    const items = [
      { id: 'A', reporter: { name: '张三', phone: '13812345678' } },
      { id: 'B', reporter: null },
      { id: 'C', reporter: {} },
      { seq: '1-0', type: 'incident.reported', data: { incidentId: 'D', reporter: { phone: '110' } } },
      { seq: '2-0', type: 'incident.reported', data: { incidentId: 'A', reporter: { name: '张三' } } },
      { seq: '3-0', type: 'incident.updated', data: { incidentId: 'E' } },
      null, 'x',
    ];
    expect(reporterIncidentIds(items)).toEqual(['A', 'D']);
    expect(reporterIncidentIds([])).toEqual([]);
  });
});

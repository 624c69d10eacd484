// The alert reducer (server/alerts/alert-reducer.ts) and its commits through planFact: one open
// alert per (kind, scope), enforced by the marker key the commit checks absent.
import { describe, expect, it } from 'vitest';
import { acknowledgeAlert, clearAlert, escalateAlert, raiseAlert, type AlertData } from '../../server/alerts/alert-reducer.js';
import { keysFor, planFact, type Plan, type StateView } from '../../server/ingest/plan.js';
import { validateEvent } from '../../server/ingest/validate.js';
import type { Op } from '../../server/store/commit.js';
import { keys } from '../../server/store/keys.js';
import type { ValidEvent } from '../../shared/events.js';
import type { Alert } from '../../shared/objects.js';
import { EVENT_TIME, ok, RECEIVED_AT, refused, ctx } from '../helpers/facts.js';
import { tinyTree } from '../helpers/tiny-tree.js';

const D1 = ['d1', 'c1'];
const raise = (over: Partial<AlertData> = {}): AlertData => ({ alertId: 'al-1', kind: 'spike', severity: 'critical', scope: 'd1', evidence: { count: 9 }, ...over });

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'al-1', version: 1, kind: 'spike', severity: 'critical', scope: 'd1', state: 'open', escalated: false, escalationLevel: 0,
    evidence: { count: 9 }, jurisdiction: D1, source: 'worker', raisedAt: EVENT_TIME, acknowledgedAt: null, acknowledgedBy: null,
    escalatedAt: null, clearedAt: null, updatedAt: EVENT_TIME, ...over,
  };
}

describe('raiseAlert', () => {
  it('creates an open alert placed at the chain of its scope', () => {
    const r = ok(raiseAlert(raise(), null, null, ctx()));
    expect(r.alert).toMatchObject({ id: 'al-1', version: 1, state: 'open', kind: 'spike', severity: 'critical', scope: 'd1', jurisdiction: D1, escalated: false, raisedAt: EVENT_TIME, updatedAt: RECEIVED_AT, evidence: { count: 9 } });
    expect(r.jurisdiction).toEqual(D1);
  });

  it('defaults the severity to warning', () => {
    expect(ok(raiseAlert(raise({ severity: undefined }), null, null, ctx())).alert!.severity).toBe('warning');
  });

  it('refuses alert_open with the open alert id when one of the same kind and scope is not cleared', () => {
    const r = refused(raiseAlert(raise({ alertId: 'al-2' }), null, { id: 'al-1', version: 1 }, ctx()));
    expect(r).toMatchObject({ code: 'alert_open', details: { alertId: 'al-1', kind: 'spike', scope: 'd1' } });
  });

  it('refuses an existing id, a missing kind or scope, and an unknown scope', () => {
    expect(refused(raiseAlert(raise(), alert(), null, ctx())).code).toBe('alert_exists');
    expect(refused(raiseAlert(raise({ kind: undefined }), null, null, ctx())).path).toBe('data.kind');
    expect(refused(raiseAlert(raise({ scope: undefined }), null, null, ctx())).path).toBe('data.scope');
    expect(refused(raiseAlert(raise({ scope: 'nowhere' }), null, null, ctx())).code).toBe('unknown_jurisdiction');
  });
});

describe('acknowledge, escalate, clear', () => {
  it('acknowledges an open alert once, naming who', () => {
    const a = ok(acknowledgeAlert({ alertId: 'al-1', by: 'duty' }, alert(), ctx())).alert!;
    expect(a).toMatchObject({ state: 'acknowledged', version: 2, acknowledgedBy: 'duty', acknowledgedAt: EVENT_TIME, updatedAt: RECEIVED_AT });
    expect(refused(acknowledgeAlert({ alertId: 'al-1' }, a, ctx()))).toMatchObject({ code: 'invalid_transition', details: { current: 'acknowledged' } });
    expect(ok(acknowledgeAlert({ alertId: 'al-1' }, alert(), ctx())).alert!.acknowledgedBy).toBe('cad-110');
  });

  it('records escalations (and a raised severity) until cleared', () => {
    const once = ok(escalateAlert({ alertId: 'al-1' }, alert({ severity: 'warning' }), ctx())).alert!;
    expect(once).toMatchObject({ escalated: true, escalationLevel: 1, escalatedAt: EVENT_TIME, severity: 'warning', state: 'open' });
    const twice = ok(escalateAlert({ alertId: 'al-1', severity: 'critical' }, once, ctx())).alert!;
    expect(twice).toMatchObject({ escalationLevel: 2, severity: 'critical', version: 3 });
    expect(refused(escalateAlert({ alertId: 'al-1' }, alert({ state: 'cleared' }), ctx())).code).toBe('invalid_transition');
  });

  it('clears open or acknowledged alerts, not cleared ones', () => {
    expect(ok(clearAlert({ alertId: 'al-1' }, alert(), ctx())).alert).toMatchObject({ state: 'cleared', clearedAt: EVENT_TIME, version: 2 });
    expect(ok(clearAlert({ alertId: 'al-1' }, alert({ state: 'acknowledged' }), ctx())).alert!.state).toBe('cleared');
    expect(refused(clearAlert({ alertId: 'al-1' }, alert({ state: 'cleared' }), ctx())).code).toBe('invalid_transition');
  });

  it('refuses unknown_alert for an alert that does not exist', () => {
    for (const f of [acknowledgeAlert, escalateAlert, clearAlert]) expect(refused(f({ alertId: 'nope' }, null, ctx())).code).toBe('unknown_alert');
  });
});

describe('planFact for alert.*', () => {
  const tree = tinyTree();
  const env = { tree, receivedAt: new Date(RECEIVED_AT), lastFix: () => null };
  const district = tree.chain('gA').find((j) => tree.get(j)?.level === 'district') ?? tree.chain('gA')[1]!;
  const chain = tree.chain(district);
  const T = Date.parse(RECEIVED_AT);
  const AK = (id: string) => keys.object('alert', id);
  const OPEN = keys.alertOpen('spike', district);
  function ev(type: string, data: Record<string, unknown>): ValidEvent {
    const v = validateEvent({ specversion: '1.0', id: 'e-1', source: 'worker/alerts', type, time: '2025-03-01T08:00:00Z', data }, T);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  }
  function planned(p: Plan) {
    if (!p.ok) throw new Error(`refused: ${p.code} ${p.message}`);
    return p;
  }
  const raised = () => planned(planFact(ev('alert.raised', { alertId: 'al-1', kind: 'spike', severity: 'critical', scope: district }), new Map(), env));

  it('a raise checks the alert and its (kind, scope) marker absent, and writes both', () => {
    const p = raised();
    expect(keysFor(ev('alert.raised', { alertId: 'al-1', kind: 'spike', scope: district }))).toEqual([AK('al-1'), OPEN]);
    expect(p.commit.checks).toEqual([{ key: AK('al-1'), expected: 0 }, { key: OPEN, expected: 0 }]);
    const ops = p.commit.ops;
    expect(ops[0]).toMatchObject({ op: 'H', key: AK('al-1'), version: 1 });
    expect(ops).toContainEqual({ op: 'H', key: OPEN, version: 1, json: JSON.stringify({ id: 'al-1', version: 1 }) });
    for (const j of chain) expect(ops).toContainEqual({ op: 'ZA', key: keys.alertsByState(j, 'open'), score: T, member: 'al-1' });
    expect(ops[ops.length - 1]).toEqual({ op: 'TL', key: keys.timeline('alert', 'al-1') });
    expect(p.commit.entry).toMatchObject({ jurisdiction: chain, affects: [{ kind: 'alert', id: 'al-1', version: 1 }] });
  });

  it('a second raise of the same kind and scope is refused alert_open, naming the open alert', () => {
    const local: StateView = new Map(raised().writes);
    const p = planFact(ev('alert.raised', { alertId: 'al-2', kind: 'spike', scope: district }), local, env);
    expect(p).toMatchObject({ ok: false, code: 'alert_open', details: { alertId: 'al-1' } });
    // another kind in the same scope is fine
    expect(planFact(ev('alert.raised', { alertId: 'al-3', kind: 'overdue', scope: district }), local, env).ok).toBe(true);
  });

  it('acknowledge moves the indexes; clear frees the marker so a new raise is accepted', () => {
    const local: StateView = new Map(raised().writes);
    const ack = planned(planFact(ev('alert.acknowledged', { alertId: 'al-1', by: 'duty' }), local, env));
    expect(ack.commit.checks).toEqual([{ key: AK('al-1'), expected: 1 }]);
    expect(ack.commit.ops).toContainEqual({ op: 'ZR', key: keys.alertsByState(chain[0]!, 'open'), member: 'al-1' });
    expect(ack.commit.ops).toContainEqual({ op: 'ZA', key: keys.alertsByState(chain[0]!, 'acknowledged'), score: T, member: 'al-1' });
    expect(ack.commit.ops.some((o: Op) => o.key === OPEN)).toBe(false);
    for (const [k, v] of ack.writes) local.set(k, v);
    const clear = planned(planFact(ev('alert.cleared', { alertId: 'al-1' }), local, env));
    expect(clear.commit.ops).toContainEqual({ op: 'DL', key: OPEN });
    for (const [k, v] of clear.writes) local.set(k, v);
    expect(local.get(OPEN)).toBeNull();
    expect(planFact(ev('alert.raised', { alertId: 'al-2', kind: 'spike', scope: district }), local, env).ok).toBe(true);
  });

  it('facts about an unknown alert are refused unknown_alert', () => {
    for (const t of ['alert.acknowledged', 'alert.escalated', 'alert.cleared']) {
      expect(planFact(ev(t, { alertId: 'ghost' }), new Map(), env)).toMatchObject({ ok: false, code: 'unknown_alert' });
    }
  });
});

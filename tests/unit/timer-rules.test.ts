import { describe, expect, it } from 'vitest';
import type { Alert, Entry, Incident, Unit } from '../../shared/objects.js';
import { ackTimedOut, causeGone, checkSla, slaDueAt, timerAlertId, timerSeverity } from '../../server/alerts/timer-rules.js';
import { jobsForEntry, type TimerSettings } from '../../server/jobs/entry-jobs.js';

const T0 = Date.parse('2026-11-28T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'I-1', version: 3, status: 'dispatched', category: 'theft', priority: 1, location: { lat: 30, lon: 120 }, address: null,
    channel: null, summary: null, reporter: null, jurisdiction: ['g1', 'c1', 'city'], gridId: 'g1', areaType: 'urban', outOfArea: false,
    duplicateOf: null, unitIds: ['U-1'], source: 't', reportedAt: at(0), receivedAt: at(0), clockSkew: false,
    statusSince: at(10), updatedAt: at(10), closedAt: null, ...over,
  };
}
function unit(over: Partial<Unit> = {}): Unit {
  return {
    id: 'U-1', version: 2, callsign: 'A1', kind: 'car', homeGrid: 'g1', skills: [], status: 'dispatched', incidentId: 'I-1',
    jurisdiction: ['g1', 'c1', 'city'], lastFix: null, statusSince: at(10), updatedAt: at(10), ...over,
  };
}
function alert(over: Partial<Alert>): Alert {
  return {
    id: 'A', version: 1, kind: 'ack_timeout', severity: 'warning', scope: 'g1', state: 'open', escalated: false, escalationLevel: 0,
    jurisdiction: ['g1', 'c1', 'city'], source: 'worker/timers', raisedAt: at(70), acknowledgedAt: null, acknowledgedBy: null,
    escalatedAt: null, clearedAt: null, updatedAt: at(70), ...over,
  };
}
const dispatch = { incidentId: 'I-1', unitId: 'U-1', dispatchedAt: at(10) };

describe('ackTimedOut', () => {
  it('is true while the unit is attached, only dispatched, and silent since this dispatch', () => {
    expect(ackTimedOut(dispatch, incident(), unit())).toBe(true);
  });
  it.each([
    ['the unit acknowledged', incident({ acknowledgedUnitIds: ['U-1'] }), unit()],
    ['the unit was released', incident({ unitIds: [] }), unit({ status: 'available', incidentId: null })],
    ['the unit is en route', incident({ status: 'en_route' }), unit({ status: 'en_route' })],
    ['the incident was cancelled', incident({ status: 'cancelled', unitIds: [] }), unit({ status: 'available', incidentId: null })],
    ['the unit was dispatched again later (another timer watches that)', incident(), unit({ statusSince: at(50) })],
    ['the unit works another incident', incident(), unit({ incidentId: 'I-2' })],
    ['the incident is gone', null, unit()],
  ])('is false when %s', (_what, inc, u) => {
    expect(ackTimedOut(dispatch, inc, u)).toBe(false);
  });
});

describe('SLA', () => {
  it('falls due at the clock start plus the target for priority and area type', () => {
    expect(slaDueAt(incident({ priority: 1, areaType: 'urban' }))).toBe(T0 + 5 * 60_000);
    expect(slaDueAt(incident({ priority: 1, areaType: 'suburban' }))).toBe(T0 + 10 * 60_000);
    expect(slaDueAt(incident({ priority: 3, areaType: 'rural' }))).toBe(T0 + 45 * 60_000);
  });
  it('starts at receipt when the reporter clock was skewed, and at the reopening after a reopen', () => {
    expect(slaDueAt(incident({ reportedAt: at(0), receivedAt: at(600), clockSkew: true }))).toBe(T0 + 600_000 + 300_000);
    expect(slaDueAt(incident({ status: 'new', slaFrom: at(3600) }))).toBe(T0 + 3600_000 + 300_000);
  });
  it('stops applying once a unit is on scene or the incident ended', () => {
    for (const status of ['on_scene', 'resolved', 'closed', 'cancelled'] as const) expect(slaDueAt(incident({ status }))).toBeNull();
  });
  it('answers breach, later or none', () => {
    expect(checkSla(incident(), T0 + 299_000)).toEqual({ kind: 'later', dueAt: T0 + 300_000 });
    expect(checkSla(incident(), T0 + 300_000)).toEqual({ kind: 'breach', dueAt: T0 + 300_000 });
    expect(checkSla(incident({ status: 'on_scene' }), T0 + 900_000)).toEqual({ kind: 'none' });
    expect(checkSla(null, T0)).toEqual({ kind: 'none' });
    // a table given by configuration
    expect(checkSla(incident(), T0 + 3000, () => 3)).toEqual({ kind: 'breach', dueAt: T0 + 3000 });
  });
});

describe('causeGone', () => {
  const ack = alert({ kind: 'ack_timeout', evidence: { incidentId: 'I-1', unitId: 'U-1', dispatchedAt: at(10) } });
  const sla = alert({ kind: 'sla_breach', evidence: { incidentId: 'I-1', startedAt: at(0) } });
  it('keeps an ack_timeout while the unit stays silent and clears it once it acknowledges or is released', () => {
    expect(causeGone(ack, incident(), unit())).toBe(false);
    expect(causeGone(ack, incident({ acknowledgedUnitIds: ['U-1'] }), unit())).toBe(true);
    expect(causeGone(ack, incident({ unitIds: [] }), unit({ status: 'available', incidentId: null }))).toBe(true);
  });
  it('keeps an sla_breach until arrival, the end of the incident, or a reopening (a new clock)', () => {
    expect(causeGone(sla, incident(), null)).toBe(false);
    expect(causeGone(sla, incident({ status: 'on_scene' }), null)).toBe(true);
    expect(causeGone(sla, incident({ status: 'cancelled' }), null)).toBe(true);
    expect(causeGone(sla, incident({ status: 'new', slaFrom: at(7200) }), null)).toBe(true);
  });
  it('never clears a cleared alert or kinds it does not own', () => {
    expect(causeGone({ ...ack, state: 'cleared' }, incident({ unitIds: [] }), unit())).toBe(false);
    expect(causeGone(alert({ kind: 'spike' }), null, null)).toBe(false);
  });
});

describe('ids and severity', () => {
  it('derives alert ids from the cause: stable, distinct, short', () => {
    expect(timerAlertId('ack_timeout', 'I-1', 'U-1', at(10))).toBe(timerAlertId('ack_timeout', 'I-1', 'U-1', at(10)));
    expect(timerAlertId('ack_timeout', 'I-1', 'U-1', at(10))).not.toBe(timerAlertId('ack_timeout', 'I-1', 'U-1', at(11)));
    expect(timerAlertId('sla_breach', 'x'.repeat(128), at(0)).length).toBeLessThanOrEqual(128);
  });
  it('is critical for priority 1 only', () => {
    expect(timerSeverity({ priority: 1 })).toBe('critical');
    expect(timerSeverity({ priority: 2 })).toBe('warning');
  });
});

describe('jobsForEntry', () => {
  const S: TimerSettings = { ackTimeoutMs: 60_000, escalateAfterMs: 300_000, slaTargetSeconds: () => 300 };
  const entry = (type: string, data: Record<string, unknown>, over: Partial<Entry> = {}): Entry => ({
    seq: '1795000000000-0', id: 'e', source: 's', type, time: at(0), receivedAt: at(0), jurisdiction: ['g1'], affects: [], data, ...over,
  });
  it('starts one ack timer per unit the dispatch attached, due after the timeout', () => {
    const jobs = jobsForEntry(entry('incident.dispatched', { incidentId: 'I-1', unitIds: ['U-1', 'U-2', 'U-x'] }, {
      affects: [{ kind: 'incident', id: 'I-1', version: 2 }, { kind: 'unit', id: 'U-1', version: 2 }, { kind: 'unit', id: 'U-2', version: 5 }],
    }), S, T0 + 10_000);
    const acks = jobs.filter((j) => j.name === 'ack');
    expect(acks.map((j) => [j.id, j.delayMs])).toEqual([['ack.1795000000000-0.U-1', 50_000], ['ack.1795000000000-0.U-2', 50_000]]);
    expect(jobs.find((j) => j.name === 'review')?.data).toEqual({ incidentId: 'I-1', unitIds: ['U-1', 'U-2', 'U-x'], at: at(0) });
  });
  it('starts an SLA check on report, reopen and a priority or location change', () => {
    for (const [type, data] of [['incident.reported', {}], ['incident.reopened', {}], ['incident.updated', { priority: 1 }], ['incident.updated', { location: { lat: 1, lon: 2 } }]] as const) {
      expect(jobsForEntry(entry(type, { incidentId: 'I-1', ...data }), S, T0).filter((j) => j.name === 'sla')).toEqual([
        { name: 'sla', id: 'sla.1795000000000-0', delayMs: 0, data: { incidentId: 'I-1' } },
      ]);
    }
    expect(jobsForEntry(entry('incident.updated', { incidentId: 'I-1', summary: 'x' }), S, T0)).toEqual([]);
  });
  it('escalates critical raises only, never negative delays, nothing for stale facts, ids without colons', () => {
    const raise = (severity: string) => entry('alert.raised', { alertId: 'a:b', severity, kind: 'spike' });
    expect(jobsForEntry(raise('warning'), S, T0)).toEqual([]);
    const [esc] = jobsForEntry(raise('critical'), S, T0 + 400_000);
    expect(esc).toMatchObject({ name: 'escalate', delayMs: 0, data: { alertId: 'a:b' } });
    expect(esc!.id).not.toContain(':');
    expect(jobsForEntry(entry('incident.arrived', { incidentId: 'I-1' }, { stale: true }), S, T0)).toEqual([]);
    expect(jobsForEntry(entry('unit.status', { unitId: 'U-9', status: 'available' }), S, T0)[0]).toMatchObject({ name: 'review', data: { incidentId: null, unitIds: ['U-9'] } });
  });
  it('starts one deadline job per dispute, petition or supervision order the entry changed, at once', () => {
    const jobs = jobsForEntry(entry('dispute.mediated', { disputeId: 'D:1' }, {
      affects: [{ kind: 'dispute', id: 'D:1', version: 3 }],
    }), S, T0 + 5000);
    expect(jobs).toEqual([{ name: 'deadline', id: 'deadline.1795000000000-0.dispute.D~3a1', delayMs: 0, data: { kind: 'dispute', caseId: 'D:1', version: 3, at: at(0) } }]);
    const issued = jobsForEntry(entry('supervision.issued', { supervisionId: 'S-1', caseRef: 'D-1' }, {
      affects: [{ kind: 'supervision', id: 'S-1', version: 1 }],
    }), S, T0);
    expect(issued.map((j) => [j.name, j.id])).toEqual([['deadline', 'deadline.1795000000000-0.supervision.S-1']]);
    const filed = jobsForEntry(entry('petition.filed', { petitionId: 'P-1' }, { affects: [{ kind: 'petition', id: 'P-1', version: 1 }] }), S, T0);
    expect(filed[0]).toMatchObject({ name: 'deadline', data: { kind: 'petition', caseId: 'P-1', version: 1 } });
    // nothing for a stale fact (not applied) or an entry that changed no case
    expect(jobsForEntry(entry('dispute.mediated', { disputeId: 'D-1' }, { stale: true, affects: [] }), S, T0)).toEqual([]);
    expect(jobsForEntry(entry('gridworker.report', { kind: 'visit' }), S, T0)).toEqual([]);
  });
});

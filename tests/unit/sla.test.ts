import { describe, expect, it } from 'vitest';
import { clockText, queueOrder, slaState } from '../../client/components/dispatch/incident-rules.js';
import { SLA_TARGET_MINUTES, slaDue, slaStart, slaTargetSeconds } from '../../shared/sla.js';

describe('SLA targets (DESIGN §7)', () => {
  it('holds the table of the issue', () => {
    expect(SLA_TARGET_MINUTES).toEqual({
      1: { urban: 5, suburban: 10, rural: 15 },
      2: { urban: 10, suburban: 15, rural: 20 },
      3: { urban: 20, suburban: 30, rural: 45 },
      4: { urban: 60, suburban: 60, rural: 90 },
    });
  });

  it('answers seconds per priority and area type; unknown or missing area types count as urban', () => {
    expect(slaTargetSeconds(1, 'urban')).toBe(300);
    expect(slaTargetSeconds(1, 'suburban')).toBe(600);
    expect(slaTargetSeconds(3, 'rural')).toBe(45 * 60);
    expect(slaTargetSeconds(4, 'rural')).toBe(90 * 60);
    expect(slaTargetSeconds(2, null)).toBe(600);
    expect(slaTargetSeconds(2, undefined)).toBe(600);
    expect(slaTargetSeconds(2, 'mountain')).toBe(600);
  });

  it('clamps priorities outside 1..4', () => {
    expect(slaTargetSeconds(0, 'urban')).toBe(300);
    expect(slaTargetSeconds(9, 'urban')).toBe(3600);
    expect(slaTargetSeconds(Number.NaN, 'urban')).toBe(300);
  });

  it('starts the clock at the report time, or at receipt when the reporter clock was off', () => {
    const base = { priority: 1, areaType: 'urban', reportedAt: '2025-01-01T08:00:00Z', receivedAt: '2025-01-01T08:00:30Z' };
    expect(slaStart(base)).toBe(Date.parse('2025-01-01T08:00:00Z'));
    expect(slaDue(base)).toBe(Date.parse('2025-01-01T08:05:00Z'));
    expect(slaStart({ ...base, clockSkew: true })).toBe(Date.parse('2025-01-01T08:00:30Z'));
    expect(slaStart({ ...base, reportedAt: '2025-01-01T07:50:00Z' })).toBe(Date.parse('2025-01-01T08:00:30Z'));
    expect(slaDue({ priority: 3, areaType: 'rural', reportedAt: '2025-01-01T08:00:00Z' })).toBe(Date.parse('2025-01-01T08:45:00Z'));
  });
});

describe('console SLA state (client/components/dispatch/incident-rules.ts)', () => {
  const base = {
    id: 'I', version: 1, status: 'new' as const, category: 'theft', priority: 1, location: null, address: null, channel: null, summary: null,
    reporter: null, jurisdiction: [], gridId: null, areaType: 'urban' as const, outOfArea: false, duplicateOf: null, unitIds: [],
    source: 't', reportedAt: '2025-01-01T08:00:00Z', receivedAt: '2025-01-01T08:00:00Z', clockSkew: false,
    statusSince: '2025-01-01T08:00:00Z', updatedAt: '2025-01-01T08:00:00Z', closedAt: null,
  };
  const at = (iso: string) => Date.parse(iso);

  it('counts down to the due time, then counts the overdue time', () => {
    expect(slaState(base, at('2025-01-01T08:01:00Z'))).toEqual({ kind: 'running', seconds: 240 });
    expect(slaState({ ...base, status: 'dispatched' }, at('2025-01-01T08:05:00Z'))).toEqual({ kind: 'running', seconds: 0 });
    expect(slaState({ ...base, status: 'en_route' }, at('2025-01-01T08:06:30Z'))).toEqual({ kind: 'overdue', seconds: 90 });
  });

  it('says met or late once on scene, and nothing once ended', () => {
    const now = at('2025-01-01T09:00:00Z');
    expect(slaState({ ...base, status: 'on_scene', statusSince: '2025-01-01T08:04:00Z' }, now)).toEqual({ kind: 'met' });
    expect(slaState({ ...base, status: 'on_scene', statusSince: '2025-01-01T08:07:00Z' }, now)).toEqual({ kind: 'late' });
    expect(slaState({ ...base, status: 'resolved' }, now)).toEqual({ kind: 'none' });
  });

  it('orders the queue by priority, then the longest wait', () => {
    const list = [
      { ...base, id: 'a', priority: 2, reportedAt: '2025-01-01T08:00:00Z' },
      { ...base, id: 'b', priority: 1, reportedAt: '2025-01-01T08:05:00Z' },
      { ...base, id: 'c', priority: 1, reportedAt: '2025-01-01T08:01:00Z' },
    ];
    expect(list.sort(queueOrder).map((i) => i.id)).toEqual(['c', 'b', 'a']);
  });

  it('formats countdowns as mm:ss, h:mm:ss past an hour', () => {
    expect(clockText(65)).toBe('01:05');
    expect(clockText(3725)).toBe('1:02:05');
    expect(clockText(-3)).toBe('00:00');
  });
});

import { describe, expect, it } from 'vitest';
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

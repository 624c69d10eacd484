// Which attached units acknowledged their dispatch (what the ack timers read), and the SLA
// clock a reopening starts.
import { describe, expect, it } from 'vitest';
import { incident, life, ok, RECEIVED_AT, unit } from '../helpers/facts.js';

const attached = (ids: string[], acked?: string[]) =>
  incident({ status: 'dispatched', unitIds: ids, ...(acked ? { acknowledgedUnitIds: acked } : {}) });
const busy = (id: string) => unit(id, { status: 'dispatched', incidentId: 'inc-1' });

describe('acknowledgedUnitIds', () => {
  it('records the named attached units; without names, every attached unit', () => {
    expect(ok(life('incident.acknowledged', attached(['u1', 'u2']), { unitIds: ['u2'], units: [busy('u1'), busy('u2')] })).incident?.acknowledgedUnitIds).toEqual(['u2']);
    expect(ok(life('incident.acknowledged', attached(['u1', 'u2']), { units: [busy('u1'), busy('u2')] })).incident?.acknowledgedUnitIds).toEqual(['u1', 'u2']);
  });
  it('ignores units that are not attached', () => {
    expect(ok(life('incident.acknowledged', attached(['u1']), { unitIds: ['u9'], units: [busy('u1'), unit('u9')] })).incident?.acknowledgedUnitIds).toEqual(['u1']);
  });
  it('forgets a released unit, and a unit dispatched again awaits a new acknowledgement', () => {
    const released = ok(life('incident.unit_released', attached(['u1', 'u2'], ['u1', 'u2']), { unitIds: ['u1'], units: [busy('u1'), busy('u2')] }));
    expect(released.incident?.acknowledgedUnitIds).toEqual(['u2']);
    const again = ok(life('incident.dispatched', released.incident!, { unitIds: ['u1'], units: [unit('u1'), busy('u2')] }));
    expect(again.incident?.unitIds).toEqual(['u2', 'u1']);
    expect(again.incident?.acknowledgedUnitIds).toEqual(['u2']);
  });
  it('is left out of objects that never had an acknowledgement', () => {
    expect(ok(life('incident.dispatched', incident(), { unitIds: ['u1'], units: [unit('u1')] })).incident).not.toHaveProperty('acknowledgedUnitIds');
  });
  it('a reopening starts a new SLA clock and clears the acknowledgements', () => {
    const r = ok(life('incident.reopened', incident({ status: 'resolved', acknowledgedUnitIds: ['u1'] })));
    expect(r.incident).toMatchObject({ status: 'new', slaFrom: RECEIVED_AT, acknowledgedUnitIds: [] });
  });
});

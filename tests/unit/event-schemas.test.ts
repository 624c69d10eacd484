import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../../shared/events.js';
import { MAX_FUTURE_MS, validateEvent, type Validated } from '../../server/ingest/validate.js';

const NOW = Date.parse('2025-03-01T08:00:00Z');
const LOC = { lat: 30.5, lon: 114.3 };
const DEADLINE = '2025-03-08T08:00:00+08:00';

interface Case {
  /** a valid data object */
  data: Record<string, unknown>;
  /** bold fields of DESIGN §3 */
  required: string[];
  /** a field and a value of the wrong type for it */
  wrong: [string, unknown];
}

const lifecycle: Case = { data: { incidentId: 'i-1', unitIds: ['u-1'], by: 'op', note: 'n' }, required: ['incidentId'], wrong: ['incidentId', 7] };
const dispute: Case = {
  data: { disputeId: 'd-1', kind: 'neighbour', parties: ['a', 'b'], location: LOC, deadline: DEADLINE, level: 'street', outcome: 'ok', summary: 's' },
  required: ['disputeId'], wrong: ['parties', 'a, b'],
};
const petition: Case = {
  data: { petitionId: 'p-1', petitioner: 'k9', subject: 'noise', jurisdictionId: 'd1', deadline: DEADLINE },
  required: ['petitionId'], wrong: ['deadline', 'next week'],
};
const supervision: Case = {
  data: { supervisionId: 's-1', caseRef: 'i-1', level: 'district', deadline: DEADLINE, instruction: 'hurry' },
  required: ['supervisionId', 'caseRef'], wrong: ['level', 'planet'],
};
const alert: Case = {
  data: { alertId: 'a-1', kind: 'spike', severity: 'warning', scope: 'd1', evidence: { count: 9 } },
  required: ['alertId'], wrong: ['kind', 'volcano'],
};

const CASES: Record<EventType, Case> = {
  'incident.reported': {
    data: { incidentId: 'i-1', category: 'theft', priority: 1, location: LOC, address: 'x', channel: '110', summary: 's', reporter: { name: 'n', phone: '1', idNumber: '2' } },
    required: ['incidentId', 'category', 'priority'], wrong: ['priority', 'high'],
  },
  'incident.updated': { data: { incidentId: 'i-1', priority: 3, location: LOC }, required: ['incidentId'], wrong: ['location', 'here'] },
  'incident.linked': { data: { incidentId: 'i-2', duplicateOf: 'i-1' }, required: ['incidentId', 'duplicateOf'], wrong: ['duplicateOf', ['i-1']] },
  'incident.dispatched': lifecycle,
  'incident.acknowledged': lifecycle,
  'incident.en_route': lifecycle,
  'incident.arrived': lifecycle,
  'incident.resolved': lifecycle,
  'incident.closed': lifecycle,
  'incident.cancelled': lifecycle,
  'incident.reopened': lifecycle,
  'incident.unit_released': { ...lifecycle, wrong: ['unitIds', 'u-1'] },
  'unit.registered': { data: { unitId: 'u-1', callsign: 'P1', kind: 'car', homeGrid: 'g1', skills: ['first_aid'] }, required: ['unitId'], wrong: ['skills', 'first_aid'] },
  'unit.position': { data: { unitId: 'u-1', lat: 30.5, lon: 114.3, speed: 12, heading: 90, accuracy: 5 }, required: ['unitId', 'lat', 'lon'], wrong: ['lat', '30.5'] },
  'unit.status': { data: { unitId: 'u-1', status: 'busy' }, required: ['unitId', 'status'], wrong: ['status', 'asleep'] },
  'patrol.checkin': { data: { unitId: 'u-1', location: LOC, dwellSeconds: 300 }, required: ['unitId'], wrong: ['dwellSeconds', '300'] },
  'dispute.registered': dispute,
  'dispute.mediated': dispute,
  'dispute.assessed': dispute,
  'dispute.routed': dispute,
  'dispute.escalated': dispute,
  'dispute.resolved': dispute,
  'dispute.closed': dispute,
  'petition.filed': petition,
  'petition.answered': petition,
  'petition.closed': petition,
  'petition.escalated': petition,
  'supervision.issued': supervision,
  'supervision.answered': supervision,
  'supervision.closed': supervision,
  'feedback.received': { data: { caseRef: 'i-1', satisfaction: 4, comment: 'fine' }, required: ['caseRef'], wrong: ['satisfaction', 'good'] },
  'gridworker.report': { data: { kind: 'hazard', location: LOC, summary: 'loose cable' }, required: ['kind'], wrong: ['kind', 3] },
  'duty.handover': { data: { shift: 'night', from: 'duty-a', to: 'duty-b', notes: 'quiet', openItems: ['i-1'] }, required: [], wrong: ['openItems', 'i-1'] },
  'indicator.updated': {
    data: { district: 'd1', cells: [{ id: 'g1', crimeRisk: 0.4, instabilityRisk: 0.1, drivers: ['e1', 'e2'] }] },
    required: ['district', 'cells'], wrong: ['cells', { id: 'g1' }],
  },
  'alert.raised': alert,
  'alert.acknowledged': alert,
  'alert.escalated': alert,
  'alert.cleared': alert,
};

/** Enum or literal fields: zod reports `invalid_value`, which fieldErrors maps to `required` when the key is missing. */
const MISSING_REPORTED_AS_INVALID_VALUE = new Set(['unit.status:status']);

const envelope = (type: string, data: unknown, over: Record<string, unknown> = {}) =>
  ({ specversion: '1.0', id: 'evt-1', source: 'urn:feeder:test', type, time: '2025-03-01T07:59:00Z', data, ...over });

function errorsOf(v: Validated) {
  if (v.ok) throw new Error('expected the event to be rejected');
  return v.errors;
}

describe('the table covers the catalogue', () => {
  it('has one case per event type, and nothing else', () => {
    expect(Object.keys(CASES).sort()).toEqual([...EVENT_TYPES].sort());
    // the 37 of DESIGN §3 and petition.escalated (POST /petitions/:id/escalate)
    expect(EVENT_TYPES).toHaveLength(38);
  });
});

describe.each(EVENT_TYPES)('%s', (type) => {
  const c = CASES[type];

  it('accepts a valid example', () => {
    const v = validateEvent(envelope(type, c.data), NOW);
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.event.type).toBe(type);
      expect(v.event.data).toEqual(c.data);
      expect(v.event.extensions).toEqual({});
    }
  });

  const fine = c.required.filter((f) => !MISSING_REPORTED_AS_INVALID_VALUE.has(`${type}:${f}`));
  it.each(c.required.length ? fine : ['(none)'])('rejects a missing required field: %s', (field) => {
    if (field === '(none)') {
      expect(validateEvent(envelope(type, {}), NOW).ok).toBe(true);
      return;
    }
    const data = { ...c.data };
    delete data[field];
    const v = validateEvent(envelope(type, data), NOW);
    expect(v.ok).toBe(false);
    expect(errorsOf(v)).toContainEqual(expect.objectContaining({ path: `data.${field}`, code: 'required' }));
    if (!v.ok) expect(v.id).toBe('evt-1');
  });

  for (const field of c.required.filter((f) => MISSING_REPORTED_AS_INVALID_VALUE.has(`${type}:${f}`))) {
    it(`a missing ${field} (enum or literal) is reported as required`, () => {
      const data = { ...c.data };
      delete data[field];
      expect(errorsOf(validateEvent(envelope(type, data), NOW))).toContainEqual(expect.objectContaining({ path: `data.${field}`, code: 'required' }));
    });
  }

  it('rejects a wrong type, naming the field', () => {
    const [field, value] = c.wrong;
    const errors = errorsOf(validateEvent(envelope(type, { ...c.data, [field]: value }), NOW));
    expect(errors.map((e) => e.path)).toContain(`data.${field}`);
    expect(errors.find((e) => e.path === `data.${field}`)!.code).not.toBe('required');
  });

  it('keeps unknown data fields in order, and CloudEvents extensions', () => {
    const data = { zeta: 1, ...c.data, nested: { b: 2, a: [1, { c: 3 }] }, alpha: 'kept' };
    const v = validateEvent(envelope(type, data, { traceparent: '00-abc-def-01', partitionkey: 'k' }), NOW);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    expect(Object.keys(v.event.data)).toEqual(Object.keys(data));
    expect(v.event.data).toEqual(data);
    expect(v.event.extensions).toEqual({ traceparent: '00-abc-def-01', partitionkey: 'k' });
  });
});

describe('envelope', () => {
  const data = CASES['incident.reported'].data;
  const reject = (raw: unknown) => errorsOf(validateEvent(raw, NOW));

  it('requires specversion 1.0', () => {
    expect(reject(envelope('incident.reported', data, { specversion: '0.3' }))).toContainEqual(expect.objectContaining({ path: 'specversion' }));
    const { specversion: _, ...noVersion } = envelope('incident.reported', data);
    expect(reject(noVersion)).toContainEqual(expect.objectContaining({ path: 'specversion' }));
  });

  it('a missing specversion is reported as required', () => {
    const { specversion: _, ...noVersion } = envelope('incident.reported', CASES['incident.reported'].data);
    expect(reject(noVersion)).toContainEqual(expect.objectContaining({ path: 'specversion', code: 'required' }));
  });

  it('requires id and source, and names both at once', () => {
    const { id: _i, source: _s, ...rest } = envelope('incident.reported', data);
    const v = validateEvent(rest, NOW);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.id).toBeNull();
    expect(reject(rest)).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'id', code: 'required' }),
      expect.objectContaining({ path: 'source', code: 'required' }),
    ]));
    expect(reject(envelope('incident.reported', data, { id: '' }))).toContainEqual(expect.objectContaining({ path: 'id' }));
  });

  it.each([['a string', 'x'], ['null', null], ['an array', [data]], ['missing', undefined]])('rejects data that is %s', (_n, value) => {
    const raw = envelope('incident.reported', value);
    if (value === undefined) delete (raw as Record<string, unknown>).data;
    const errors = reject(raw);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('data');
    expect(errors[0]!.code).toBe(value === undefined ? 'required' : 'invalid_type');
  });

  it('rejects a non-object event at the root', () => {
    expect(reject('hello')[0]!.path).toBe('(root)');
    expect(reject(null)[0]!.path).toBe('(root)');
  });

  it('rejects an unknown type with unknown_type (before looking at data)', () => {
    expect(reject(envelope('incident.teleported', {}))).toEqual([expect.objectContaining({ path: 'type', code: 'unknown_type' })]);
    expect(reject(envelope('toString', {}))[0]!.code).toBe('unknown_type');
  });

  it('rejects a time more than 5 minutes ahead; 4 minutes ahead is fine', () => {
    const at = (ms: number) => envelope('incident.reported', data, { time: new Date(NOW + ms).toISOString() });
    expect(reject(at(MAX_FUTURE_MS + 1000))).toEqual([expect.objectContaining({ path: 'time', code: 'time_in_future' })]);
    expect(reject(at(6 * 60_000))[0]!.code).toBe('time_in_future');
    expect(validateEvent(at(4 * 60_000), NOW).ok).toBe(true);
    expect(validateEvent(at(5 * 60_000), NOW).ok).toBe(true);
    expect(validateEvent(at(-30 * 24 * 3600_000), NOW).ok).toBe(true);
  });

  it('accepts a time with an offset, and no time at all; rejects a malformed time', () => {
    expect(validateEvent(envelope('incident.reported', data, { time: '2025-03-01T16:02:00+08:00' }), NOW).ok).toBe(true);
    expect(reject(envelope('incident.reported', data, { time: '2025-03-01T16:10:00+08:00' }))[0]!.code).toBe('time_in_future');
    const { time: _, ...untimed } = envelope('incident.reported', data);
    const v = validateEvent(untimed, NOW);
    expect(v.ok && v.event.time).toBeUndefined();
    expect(v.ok).toBe(true);
    expect(reject(envelope('incident.reported', data, { time: 'yesterday' }))[0]!.path).toBe('time');
  });

  it('keeps subject and leaves defined attributes out of extensions', () => {
    const v = validateEvent(envelope('incident.reported', data, { subject: 'i-1', datacontenttype: 'application/json', comexampleext: 5 }), NOW);
    if (!v.ok) throw new Error('rejected');
    expect(v.event.subject).toBe('i-1');
    expect(v.event.extensions).toEqual({ comexampleext: 5 });
  });
});

describe('field rules', () => {
  const check = (type: EventType, data: Record<string, unknown>) => validateEvent(envelope(type, data), NOW);

  it('limits ids to 128 characters', () => {
    const id128 = 'x'.repeat(128);
    const id129 = 'x'.repeat(129);
    expect(check('incident.reported', { ...CASES['incident.reported'].data, incidentId: id128 }).ok).toBe(true);
    expect(errorsOf(check('incident.reported', { ...CASES['incident.reported'].data, incidentId: id129 }))[0]).toMatchObject({ path: 'data.incidentId', code: 'too_big' });
    expect(errorsOf(check('unit.status', { unitId: id129, status: 'busy' }))[0]!.path).toBe('data.unitId');
    expect(errorsOf(check('dispute.registered', { disputeId: id129 }))[0]!.path).toBe('data.disputeId');
    expect(errorsOf(check('feedback.received', { caseRef: id129 }))[0]!.path).toBe('data.caseRef');
    expect(errorsOf(check('incident.dispatched', { incidentId: 'i', unitIds: ['u', id129] }))[0]!.path).toBe('data.unitIds.1');
    expect(errorsOf(check('incident.reported', { ...CASES['incident.reported'].data, incidentId: '' }))[0]!.path).toBe('data.incidentId');
  });

  it.each([[0, false], [1, true], [4, true], [5, false], [2.5, false]])('priority %s valid: %s', (priority, valid) => {
    const v = check('incident.reported', { incidentId: 'i', category: 'theft', priority });
    expect(v.ok).toBe(valid);
    if (!v.ok) expect(v.errors[0]!.path).toBe('data.priority');
  });

  it.each([[1, true], [5, true], [0, false], [6, false], [3.5, false], ['5', false]])('satisfaction %s valid: %s', (satisfaction, valid) => {
    const v = check('feedback.received', { caseRef: 'i-1', satisfaction });
    expect(v.ok).toBe(valid);
    if (!v.ok) expect(v.errors[0]!.path).toBe('data.satisfaction');
  });

  it('checks location shape and ranges', () => {
    const base = CASES['incident.reported'].data;
    expect(errorsOf(check('incident.reported', { ...base, location: { lat: 30 } }))[0]).toMatchObject({ path: 'data.location.lon', code: 'required' });
    expect(errorsOf(check('incident.reported', { ...base, location: { lat: 91, lon: 0 } }))[0]!.path).toBe('data.location.lat');
    expect(errorsOf(check('unit.position', { unitId: 'u', lat: 0, lon: 181 }))[0]!.path).toBe('data.lon');
  });

  it('checks indicator.updated cells: each needs id, crimeRisk, instabilityRisk and drivers (strings)', () => {
    const cell = { id: 'g1', crimeRisk: 0.2, instabilityRisk: 0.3, drivers: [] };
    expect(check('indicator.updated', { district: 'd1', cells: [] }).ok).toBe(true);
    expect(check('indicator.updated', { district: 'd1', cells: [cell, { ...cell, id: 'g2', extra: true }] }).ok).toBe(true);
    for (const f of ['id', 'crimeRisk', 'instabilityRisk', 'drivers'] as const) {
      const broken: Record<string, unknown> = { ...cell };
      delete broken[f];
      expect(errorsOf(check('indicator.updated', { district: 'd1', cells: [cell, broken] }))).toContainEqual(
        expect.objectContaining({ path: `data.cells.1.${f}`, code: 'required' }));
    }
    expect(errorsOf(check('indicator.updated', { district: 'd1', cells: [{ ...cell, crimeRisk: 'high' }] }))[0]!.path).toBe('data.cells.0.crimeRisk');
    expect(errorsOf(check('indicator.updated', { district: 'd1', cells: [{ ...cell, drivers: [1] }] }))[0]!.path).toBe('data.cells.0.drivers.0');
  });

  it('checks enums and times of the optional fields', () => {
    expect(errorsOf(check('dispute.escalated', { disputeId: 'd', level: 'province' }))[0]!.path).toBe('data.level');
    expect(errorsOf(check('dispute.registered', { disputeId: 'd', deadline: '2025-13-01' }))[0]!.path).toBe('data.deadline');
    expect(errorsOf(check('alert.raised', { alertId: 'a', severity: 'apocalyptic' }))[0]!.path).toBe('data.severity');
    expect(errorsOf(check('unit.status', { unitId: 'u', status: 'Available' }))[0]!.path).toBe('data.status');
    expect(errorsOf(check('incident.reported', { ...CASES['incident.reported'].data, reporter: { phone: 110 } }))[0]!.path).toBe('data.reporter.phone');
  });
});

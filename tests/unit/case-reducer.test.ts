// The governance reducer (server/governance/case-reducer.ts): the stage machines of DESIGN §3
// pair by pair, escalation of the responsible level, feedback and resolvedAtLevel. Fixed data.
import { describe, expect, it } from 'vitest';
import {
  CASE_NEXT, CASE_STAGES, isOpenStage, type CaseKind, type Dispute, type GovCase, type Petition, type Supervision,
} from '../../shared/governance.js';
import type { ValidEvent } from '../../shared/events.js';
import type { Incident } from '../../shared/objects.js';
import {
  addFeedback, chainAt, escalateCase, issueSupervision, lowestLevel, moveCase, openCase, type CaseContext, type CaseResult,
} from '../../server/governance/case-reducer.js';
import { reduceCase } from '../../server/governance/reduce-case.js';
import { CHAIN_A, ctx as factCtx, EARLIER, EVENT_TIME, incident, placement, RECEIVED_AT } from '../helpers/facts.js';

/** Stage deadlines as a fixed table: open stages get one, the others none. */
const DEADLINE: Record<string, string> = {
  'dispute/registered': '2025-03-04T16:00:00.000Z', 'dispute/mediating': '2025-03-14T16:00:00.000Z',
  'dispute/assessed': '2025-03-05T16:00:00.000Z', 'dispute/routed': '2025-03-20T16:00:00.000Z',
  'petition/filed': '2025-04-30T08:00:00.000Z', 'supervision/issued': '2025-03-07T16:00:00.000Z',
};

function cctx(over: Partial<CaseContext> = {}): CaseContext {
  return {
    ...factCtx(),
    deadlineFor: (kind, stage) => DEADLINE[`${kind}/${stage}`] ?? null,
    disputeCategory: (code) => (code === 'neighbour' || code === 'other' ? { code, known: true } : { code: 'other', known: false }),
    ...over,
  };
}

const common = {
  version: 4, jurisdiction: CHAIN_A, location: { lat: 30.01, lon: 114.01 }, gridId: 'gA',
  responsibleLevel: 'grid' as const, responsibleJurisdiction: 'gA', escalations: 0, escalationReason: null,
  deadline: '2025-03-02T16:00:00.000Z', summary: 'noise at night', source: 'grid-app', openedAt: EARLIER, stageSince: EARLIER,
  updatedAt: EARLIER, resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
};

function dispute(over: Partial<Dispute> = {}): Dispute {
  return {
    ...common, id: 'd-1', kind: 'dispute', stage: 'registered', category: 'neighbour', parties: ['A', 'B'],
    risk: null, department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
  };
}
function petition(over: Partial<Petition> = {}): Petition {
  return { ...common, id: 'p-1', kind: 'petition', stage: 'filed', petitioner: 'pk-1', subject: 'wages', answer: null, answeredAt: null, ...over };
}
function supervision(over: Partial<Supervision> = {}): Supervision {
  return {
    ...common, id: 's-1', kind: 'supervision', stage: 'issued', responsibleLevel: 'district', responsibleJurisdiction: 'd1',
    caseRef: 'd-1', caseKind: 'dispute', instruction: 'settle it', issuedBy: 'leader', answer: null, answeredAt: null, ...over,
  };
}
const make: Record<CaseKind, (stage: string) => GovCase> = {
  dispute: (stage) => dispute({ stage: stage as Dispute['stage'] }),
  petition: (stage) => petition({ stage: stage as Petition['stage'] }),
  supervision: (stage) => supervision({ stage: stage as Supervision['stage'] }),
};

function ok(r: CaseResult) {
  if (!r.ok) throw new Error(`refused: ${r.code} ${r.message}`);
  return r;
}
function refused(r: CaseResult) {
  if (r.ok) throw new Error('applied, expected a refusal');
  return r;
}

describe('CASE_NEXT', () => {
  it('is the workflow of DESIGN §3: no stage may be skipped', () => {
    expect(CASE_NEXT).toEqual({
      dispute: {
        registered: ['mediating'], mediating: ['assessed'], assessed: ['routed'],
        routed: ['resolved'], resolved: ['closed'], closed: [],
      },
      petition: { filed: ['answered'], answered: ['closed'], closed: [] },
      supervision: { issued: ['answered'], answered: ['closed'], closed: [] },
    });
  });
});

describe('the workflow table: every from → to of each kind', () => {
  const pairs = (['dispute', 'petition', 'supervision'] as const).flatMap((kind) => {
    const stages: readonly string[] = CASE_STAGES[kind];
    return stages.flatMap((from) => stages.map((to) => ({
      kind, from, to,
      allowed: ((CASE_NEXT[kind] as Record<string, readonly string[]>)[from] ?? []).includes(to),
      forward: stages.indexOf(to) > stages.indexOf(from),
    })));
  });

  it.each(pairs)('$kind $from → $to strict (allowed: $allowed)', ({ kind, from, to, allowed }) => {
    const before = make[kind](from);
    const r = moveCase(before, kind, before.id, to, { note: 'n' }, cctx(), 'strict');
    if (!allowed) {
      const x = refused(r);
      expect(x.code).toBe('invalid_transition');
      expect(x.details).toEqual({ current: from, version: before.version, allowed: (CASE_NEXT[kind] as Record<string, readonly string[]>)[from] });
      return;
    }
    const c = ok(r).case;
    expect(ok(r).stale).toBe(false);
    expect(c).toMatchObject({ stage: to, version: before.version + 1, stageSince: RECEIVED_AT, updatedAt: RECEIVED_AT, jurisdiction: CHAIN_A });
    expect(c.deadline).toBe(isOpenStage(kind, to) ? DEADLINE[`${kind}/${to}`] : null);
    expect(c.closedAt).toBe(to === 'closed' ? EVENT_TIME : null);
  });

  it.each(pairs)('$kind $from → $to lenient (forward: $forward)', ({ kind, from, to, forward }) => {
    const before = make[kind](from);
    const o = ok(moveCase(before, kind, before.id, to, {}, cctx(), 'lenient'));
    if (forward) {
      expect(o.stale).toBe(false);
      expect(o.case).toMatchObject({ stage: to, version: before.version + 1, stageSince: RECEIVED_AT });
    } else {
      // recorded in the timeline, not applied
      expect(o.stale).toBe(true);
      expect(o.case).toBe(before);
    }
  });

  it('refuses a move of a case that does not exist', () => {
    expect(refused(moveCase(null, 'dispute', 'd-9', 'mediating', {}, cctx(), 'lenient')).code).toBe('unknown_case');
  });

  it('keeps what a stage records: risk on assessment, the department on routing, the outcome on resolution, the answer', () => {
    const assessed = ok(moveCase(dispute({ stage: 'mediating' }), 'dispute', 'd-1', 'assessed', { risk: 'high' }, cctx(), 'strict')).case as Dispute;
    expect(assessed.risk).toBe('high');
    const routed = ok(moveCase(assessed, 'dispute', 'd-1', 'routed', { department: 'labour bureau' }, cctx(), 'strict')).case as Dispute;
    expect(routed.department).toBe('labour bureau');
    const resolved = ok(moveCase(routed, 'dispute', 'd-1', 'resolved', { outcome: 'wages paid', note: 'x' }, cctx(), 'strict')).case as Dispute;
    expect(resolved).toMatchObject({ outcome: 'wages paid', resolvedAt: EVENT_TIME, department: 'labour bureau', deadline: null });
    const answered = ok(moveCase(petition(), 'petition', 'p-1', 'answered', { answer: 'replied in writing' }, cctx(), 'strict')).case as Petition;
    expect(answered).toMatchObject({ answer: 'replied in writing', answeredAt: EVENT_TIME, deadline: null });
    const deadline = '2025-05-01T00:00:00.000Z';
    expect(ok(moveCase(dispute(), 'dispute', 'd-1', 'mediating', { deadline }, cctx(), 'strict')).case.deadline).toBe(deadline);
  });
});

describe('resolvedAtLevel', () => {
  it('is the responsible level when the dispute was resolved', () => {
    const atStreet = dispute({ stage: 'routed', responsibleLevel: 'street', responsibleJurisdiction: 's1', escalations: 2 });
    const resolved = ok(moveCase(atStreet, 'dispute', 'd-1', 'resolved', {}, cctx(), 'strict')).case as Dispute;
    expect(resolved.resolvedAtLevel).toBe('street');
    const closed = ok(moveCase(resolved, 'dispute', 'd-1', 'closed', {}, cctx({ time: '2025-03-09T00:00:00.000Z' }), 'strict')).case as Dispute;
    expect(closed).toMatchObject({ resolvedAtLevel: 'street', resolvedAt: EVENT_TIME, closedAt: '2025-03-09T00:00:00.000Z' });
  });

  it('is set by a lenient jump straight to closed', () => {
    const closed = ok(moveCase(dispute(), 'dispute', 'd-1', 'closed', {}, cctx(), 'lenient')).case as Dispute;
    expect(closed).toMatchObject({ stage: 'closed', resolvedAtLevel: 'grid', resolvedAt: EVENT_TIME, closedAt: EVENT_TIME });
  });
});

describe('escalation', () => {
  const LADDER = [['community', 'mA'], ['street', 's1'], ['district', 'd1'], ['city', 'c1']] as const;

  for (const kind of ['dispute', 'petition'] as const) {
    it(`moves a ${kind} up grid → community → … → city, then refuses at the city (strict) or records it (lenient)`, () => {
      let c: GovCase = kind === 'dispute' ? dispute() : petition();
      const version = c.version;
      LADDER.forEach(([level, id], i) => {
        const o = ok(escalateCase(c, kind, c.id, { reason: `step ${i}` }, cctx(), 'strict'));
        expect(o.case).toMatchObject({
          responsibleLevel: level, responsibleJurisdiction: id, escalations: i + 1, escalationReason: `step ${i}`,
          version: version + i + 1, stage: c.stage, jurisdiction: CHAIN_A, gridId: 'gA', deadline: DEADLINE[`${kind}/${c.stage}`],
        });
        expect(o.jurisdiction).toEqual(CHAIN_A);
        expect(chainAt(CHAIN_A, level)).toBe(id);
        c = o.case;
      });
      const r = refused(escalateCase(c, kind, c.id, { reason: 'again' }, cctx(), 'strict'));
      expect(r).toMatchObject({ code: 'invalid_transition', details: { current: c.stage, responsibleLevel: 'city' } });
      const lenient = ok(escalateCase(c, kind, c.id, {}, cctx(), 'lenient'));
      expect(lenient.stale).toBe(true);
      expect(lenient.case).toBe(c);
    });
  }

  it('jumps to a named higher level, never down', () => {
    expect(ok(escalateCase(dispute(), 'dispute', 'd-1', { level: 'district' }, cctx(), 'strict')).case)
      .toMatchObject({ responsibleLevel: 'district', responsibleJurisdiction: 'd1', escalations: 1 });
    const atStreet = dispute({ responsibleLevel: 'street', responsibleJurisdiction: 's1' });
    expect(ok(escalateCase(atStreet, 'dispute', 'd-1', { level: 'grid' }, cctx(), 'strict')).case)
      .toMatchObject({ responsibleLevel: 'district', responsibleJurisdiction: 'd1' });
  });

  it('refuses finished cases in strict mode and records them in lenient mode', () => {
    for (const stage of ['resolved', 'closed'] as const) {
      expect(refused(escalateCase(dispute({ stage }), 'dispute', 'd-1', {}, cctx(), 'strict')).code).toBe('invalid_transition');
      expect(ok(escalateCase(dispute({ stage }), 'dispute', 'd-1', {}, cctx(), 'lenient')).stale).toBe(true);
    }
    expect(refused(escalateCase(petition({ stage: 'answered' }), 'petition', 'p-1', {}, cctx(), 'strict')).code).toBe('invalid_transition');
    expect(refused(escalateCase(null, 'petition', 'p-9', {}, cctx(), 'strict')).code).toBe('unknown_case');
  });

  it('reaches petitions through petition.escalated', () => {
    const ev: ValidEvent = {
      specversion: '1.0', id: 'e-1', source: 'console/coordinator', type: 'petition.escalated', time: EVENT_TIME,
      data: { petitionId: 'p-1', reason: 'no answer' }, extensions: {},
    };
    const p = petition();
    const r = reduceCase(ev, cctx(), <T extends object>(kind: string, id: string) => (kind === 'petition' && id === 'p-1' ? p as unknown as T : null), 'strict');
    expect(r).toMatchObject({ ok: true, case: { responsibleLevel: 'community', responsibleJurisdiction: 'mA', escalations: 1 }, alsoTimeline: [{ kind: 'petition', id: 'p-1' }] });
  });
});

describe('feedback', () => {
  it('averages every rating, keeps comments without one, and the newest 20 items', () => {
    let c: Dispute | Petition = dispute({ stage: 'resolved' });
    const ratings = [5, 3, null, 4, ...Array.from({ length: 22 }, (_, i) => (i % 5) + 1)];
    ratings.forEach((s, i) => {
      c = ok(addFeedback(c, { ...(s === null ? {} : { satisfaction: s }), comment: `c${i}` }, factCtx())).case as Dispute;
    });
    const rated = ratings.filter((s): s is number => s !== null);
    expect(c.ratings).toBe(rated.length);
    expect(c.satisfaction).toBeCloseTo(rated.reduce((a, b) => a + b, 0) / rated.length, 10);
    expect(c.feedback).toHaveLength(20);
    expect(c.feedback.at(-1)).toEqual({ satisfaction: ratings.at(-1), comment: `c${ratings.length - 1}`, at: EVENT_TIME });
    expect(c.version).toBe(4 + ratings.length);
  });

  it('gives the mean of the first ratings exactly', () => {
    let c: Dispute | Petition = petition({ stage: 'answered' });
    for (const s of [5, 3]) c = ok(addFeedback(c, { satisfaction: s }, factCtx())).case as Petition;
    expect(c).toMatchObject({ satisfaction: 4, ratings: 2 });
    c = ok(addFeedback(c, { comment: 'slow' }, factCtx())).case as Petition;
    expect(c).toMatchObject({ satisfaction: 4, ratings: 2 });
    expect(c.feedback.map((f) => f.satisfaction)).toEqual([5, 3, null]);
  });
});

describe('opening cases', () => {
  it('places a located dispute in its grid, responsible at the grid, with the registration deadline', () => {
    const o = ok(openCase('dispute', { disputeId: 'd-2', kind: 'neighbour', parties: ['A'] }, null, cctx({ placement: placement() })));
    expect(o.case).toMatchObject({
      id: 'd-2', version: 1, stage: 'registered', jurisdiction: CHAIN_A, gridId: 'gA', responsibleLevel: 'grid', responsibleJurisdiction: 'gA',
      deadline: DEADLINE['dispute/registered'], openedAt: EVENT_TIME, stageSince: RECEIVED_AT, category: 'neighbour', parties: ['A'],
    });
    expect(lowestLevel(CHAIN_A)).toBe('grid');
  });

  it('maps an unknown kind to other with a warning, honours a level, and refuses the id from another source', () => {
    const o = ok(openCase('dispute', { disputeId: 'd-3', kind: 'llamas', level: 'street' }, null, cctx({ placement: placement() })));
    expect(o.case).toMatchObject({ category: 'other', categoryReported: 'llamas', responsibleLevel: 'street', responsibleJurisdiction: 's1' });
    expect(o.warnings.map((w) => w.code)).toEqual(['unknown_category']);
    expect(refused(openCase('dispute', { disputeId: 'd-1' }, dispute(), cctx())).code).toBe('case_exists');
    expect(ok(openCase('dispute', { disputeId: 'd-1' }, dispute(), cctx({ source: 'grid-app' }))).stale).toBe(true);
  });

  it('files a petition by jurisdictionId (responsible there) or at the city', () => {
    expect(ok(openCase('petition', { petitionId: 'p-2', jurisdictionId: 'd1', petitioner: 'pk' }, null, cctx())).case)
      .toMatchObject({ jurisdiction: ['d1', 'c1'], gridId: null, responsibleLevel: 'district', responsibleJurisdiction: 'd1', petitioner: 'pk' });
    expect(ok(openCase('petition', { petitionId: 'p-3' }, null, cctx())).case).toMatchObject({ jurisdiction: ['c1'], responsibleLevel: 'city' });
    expect(refused(openCase('petition', { petitionId: 'p-4', jurisdictionId: 'nowhere' }, null, cctx())).code).toBe('unknown_jurisdiction');
  });

  it('issues a supervision order where its case is seen, at the case\'s responsible level (district for incidents)', () => {
    const onDispute = ok(issueSupervision({ supervisionId: 's-2', caseRef: 'd-1', by: 'leader' }, null, dispute({ responsibleLevel: 'community', responsibleJurisdiction: 'mA' }), cctx()));
    expect(onDispute.case).toMatchObject({
      jurisdiction: CHAIN_A, caseKind: 'dispute', caseRef: 'd-1', responsibleLevel: 'community', responsibleJurisdiction: 'mA',
      issuedBy: 'leader', deadline: DEADLINE['supervision/issued'], stage: 'issued', version: 1,
    });
    const inc: Incident = incident({ jurisdiction: CHAIN_A, gridId: 'gA' });
    expect(ok(issueSupervision({ supervisionId: 's-3', caseRef: 'inc-1' }, null, inc, cctx())).case)
      .toMatchObject({ caseKind: 'incident', responsibleLevel: 'district', responsibleJurisdiction: 'd1' });
    expect(refused(issueSupervision({ supervisionId: 's-4', caseRef: 'x' }, null, null, cctx())).code).toBe('unknown_case');
  });
});

// Governance cases (DESIGN §3, §4): disputes ("4+2"), petitions (信访) and supervision orders
// (督办) as the projection holds them, their state machines and the API around them. One
// contract for the server, the worker and the browser.
import { z } from 'zod';
import { csv } from './api.js';
import { isoTime, objectId } from './events.js';
import { levelSchema, locationSchema, LEVELS, type Level } from './jurisdiction.js';
import { entrySchema } from './objects.js';

export const CASE_KINDS = ['dispute', 'petition', 'supervision'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export const DISPUTE_STAGES = ['registered', 'mediating', 'assessed', 'routed', 'resolved', 'closed'] as const;
export const PETITION_STAGES = ['filed', 'answered', 'closed'] as const;
export const SUPERVISION_STAGES = ['issued', 'answered', 'closed'] as const;
export type DisputeStage = (typeof DISPUTE_STAGES)[number];
export type PetitionStage = (typeof PETITION_STAGES)[number];
export type SupervisionStage = (typeof SUPERVISION_STAGES)[number];
export type CaseStage = DisputeStage | PetitionStage | SupervisionStage;

/** Strict state machines (commands): the next stage allowed from each; no stage may be skipped. */
export const CASE_NEXT = {
  dispute: {
    // DESIGN §3: a stage may not be skipped. A dispute settled by the grid's own mediation is
    // routed without a department (followed up where it is) and then resolved.
    registered: ['mediating'], mediating: ['assessed'], assessed: ['routed'],
    routed: ['resolved'], resolved: ['closed'], closed: [],
  },
  petition: { filed: ['answered'], answered: ['closed'], closed: [] },
  supervision: { issued: ['answered'], answered: ['closed'], closed: [] },
} as const satisfies Record<CaseKind, Record<string, readonly string[]>>;

/** The event a stage change appends, per kind and target stage. */
export const CASE_EVENT_FOR_STAGE: Record<CaseKind, Record<string, string>> = {
  dispute: {
    registered: 'dispute.registered', mediating: 'dispute.mediated', assessed: 'dispute.assessed',
    routed: 'dispute.routed', resolved: 'dispute.resolved', closed: 'dispute.closed',
  },
  petition: { filed: 'petition.filed', answered: 'petition.answered', closed: 'petition.closed' },
  supervision: { issued: 'supervision.issued', answered: 'supervision.answered', closed: 'supervision.closed' },
};

/** Stages in which a case is still open (counted in backlogs, watched by deadlines). */
export const OPEN_STAGES: Record<CaseKind, readonly string[]> = {
  dispute: ['registered', 'mediating', 'assessed', 'routed'],
  petition: ['filed'],
  supervision: ['issued'],
};
export const isOpenStage = (kind: CaseKind, stage: string) => OPEN_STAGES[kind].includes(stage);

/** The level above (grid → community → street → district → city); null at the city. */
export function levelAbove(level: Level): Level | null {
  const i = LEVELS.indexOf(level);
  return i > 0 ? LEVELS[i - 1]! : null;
}

const feedbackSchema = z.object({ satisfaction: z.number().int().min(1).max(5).nullable(), comment: z.string().nullable(), at: isoTime });

const caseBase = {
  id: objectId,
  version: z.number().int().min(1),
  /** who can see it: the location's chain (grid up to city), never shrinking */
  jurisdiction: z.array(z.string()),
  location: locationSchema.nullable(),
  gridId: z.string().nullable(),
  /** who must act: the level and jurisdiction responsible now (escalation moves them up) */
  responsibleLevel: levelSchema,
  responsibleJurisdiction: z.string(),
  escalations: z.number().int().min(0),
  escalationReason: z.string().nullable(),
  /** the deadline of the current stage (ISO), or null */
  deadline: isoTime.nullable(),
  /** the deadline in force when the case left its open stages (resolved, answered or closed): judges the on-time rate */
  resolutionDeadline: isoTime.nullable().optional(),
  summary: z.string().nullable(),
  source: z.string(),
  openedAt: isoTime,
  stageSince: isoTime,
  updatedAt: isoTime,
  resolvedAt: isoTime.nullable(),
  closedAt: isoTime.nullable(),
  /** residents' feedback (social supervision), newest last, at most 20 kept */
  feedback: z.array(feedbackSchema),
  /** mean satisfaction 1..5 over every rated feedback, or null */
  satisfaction: z.number().nullable(),
  /** how many feedbacks carried a rating */
  ratings: z.number().int().min(0),
  updatedSeq: z.string().optional(),
};

export const disputeSchema = z.object({
  ...caseBase,
  kind: z.literal('dispute'),
  stage: z.enum(DISPUTE_STAGES),
  /** catalogue code (GB/T 31000 "9+X"); unknown codes are `other` with the reported one kept */
  category: z.string(),
  categoryReported: z.string().optional(),
  parties: z.array(z.string()),
  /** assessed escalation risk */
  risk: z.enum(['low', 'medium', 'high']).nullable(),
  department: z.string().nullable(),
  /** when it was routed onward to a department (stage `routed`), or null/absent if never */
  routedAt: isoTime.nullable().optional(),
  outcome: z.string().nullable(),
  /** the responsible level when it was resolved (grid/community: settled by autonomy and mediation) */
  resolvedAtLevel: levelSchema.nullable(),
  /** police incidents this dispute became */
  incidentIds: z.array(z.string()),
});
export type Dispute = z.infer<typeof disputeSchema>;

export const petitionSchema = z.object({
  ...caseBase,
  kind: z.literal('petition'),
  stage: z.enum(PETITION_STAGES),
  /** pseudonymous key of the petitioner (never a name) */
  petitioner: z.string().nullable(),
  subject: z.string().nullable(),
  answer: z.string().nullable(),
  answeredAt: isoTime.nullable(),
});
export type Petition = z.infer<typeof petitionSchema>;

export const supervisionSchema = z.object({
  ...caseBase,
  kind: z.literal('supervision'),
  stage: z.enum(SUPERVISION_STAGES),
  /** the supervised case: an incident, dispute or petition id */
  caseRef: z.string(),
  caseKind: z.enum(['incident', 'dispute', 'petition']),
  instruction: z.string().nullable(),
  issuedBy: z.string(),
  answer: z.string().nullable(),
  answeredAt: isoTime.nullable(),
});
export type Supervision = z.infer<typeof supervisionSchema>;

export type GovCase = Dispute | Petition | Supervision;

// --- API (DESIGN §4) ---

const expectedVersion = z.number().int();

/** GET /disputes, /petitions, /supervisions */
export const caseListQuerySchema = z.object({
  stage: csv(z.string().max(32)).optional(),
  scope: z.string().max(128).optional(),
  /** `responsible`: the queue of cases the scope must act on; default: cases located in the scope */
  view: z.enum(['located', 'responsible']).optional(),
  overdue: z.enum(['1', 'true']).optional(),
  limit: z.coerce.number().int().min(1).transform((n) => Math.min(n, 500)).default(100),
  cursor: z.string().max(200).optional(),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

/** POST /disputes/:id/transition, /petitions/:id/transition */
export const caseTransitionSchema = z.object({
  to: z.string().min(1).max(32),
  expectedVersion,
  note: z.string().max(4000).optional(),
  /** routing: the department the dispute goes to */
  department: z.string().min(1).max(200).optional(),
  /** assessment: the escalation risk */
  risk: z.enum(['low', 'medium', 'high']).optional(),
  /** resolution: the outcome; petitions: the answer */
  outcome: z.string().max(4000).optional(),
  deadline: isoTime.optional(),
});
export type CaseTransition = z.infer<typeof caseTransitionSchema>;

/** POST /disputes/:id/escalate, /petitions/:id/escalate */
export const caseEscalateSchema = z.object({ expectedVersion, reason: z.string().min(1).max(2000) });
export type CaseEscalate = z.infer<typeof caseEscalateSchema>;

/** POST /supervisions (leaders) */
export const supervisionCreateSchema = z.object({
  caseRef: objectId,
  deadline: isoTime,
  instruction: z.string().min(1).max(4000),
  level: levelSchema.optional(),
});
export type SupervisionCreate = z.infer<typeof supervisionCreateSchema>;

/** POST /supervisions/:id/answer */
export const supervisionAnswerSchema = z.object({ expectedVersion, answer: z.string().min(1).max(4000) });
export type SupervisionAnswer = z.infer<typeof supervisionAnswerSchema>;

// --- Indicators (issue 6): per community (or any level), over a window ---

/** Governance indicators of one jurisdiction over a window; rates are fractions 0..1, null without data. */
export const governanceRowSchema = z.object({
  jurisdictionId: z.string(),
  name: z.string().optional(),
  level: levelSchema,
  /** disputes and petitions opened in the window */
  opened: z.number().int(),
  /** of them (and of older ones), resolved or answered in the window */
  resolved: z.number().int(),
  /** resolved by their deadline, of those resolved in the window */
  onTimeRate: z.number().nullable(),
  /** median hours from opening to resolution, of those resolved in the window */
  medianHoursToResolution: z.number().nullable(),
  /** opened in the window with an earlier case at the same place (≤ 100 m, same grid) or with a shared party within 90 days */
  repeatRate90d: z.number().nullable(),
  /** of the disputes opened in the window, escalated at least once */
  escalationRate: z.number().nullable(),
  /** mean satisfaction 1..5 of the feedback received in the window */
  satisfaction: z.number().nullable(),
  /** open cases past their deadline now */
  overdueBacklog: z.number().int(),
  /** of the disputes resolved in the window, resolved at grid or community level (autonomy and mediation) */
  resolvedLocallyShare: z.number().nullable(),
  /** of the disputes resolved in the window, routed onward to a department first */
  routedOnwardShare: z.number().nullable(),
});
export type GovernanceRow = z.infer<typeof governanceRowSchema>;

/** GET /stats?metric=governance&scope=&from=&to=&level= */
export const governanceStatsSchema = z.object({
  metric: z.literal('governance'),
  scope: z.string(),
  from: isoTime,
  to: isoTime,
  /** one row per jurisdiction at `level` (default community) under the scope */
  rows: z.array(governanceRowSchema),
  /** the scope as a whole */
  total: governanceRowSchema,
  asOfSeq: z.string().nullable(),
});
export type GovernanceStats = z.infer<typeof governanceStatsSchema>;

// --- API answers (DESIGN §4) ---

/** Stages per kind, in workflow order. */
export const CASE_STAGES = { dispute: DISPUTE_STAGES, petition: PETITION_STAGES, supervision: SUPERVISION_STAGES } as const;

/** The list query of one kind: `stage` checked against that kind's stages. */
export const caseListQueryFor = (kind: CaseKind) => caseListQuerySchema.extend({ stage: csv(z.enum(CASE_STAGES[kind])).optional() });

/**
 * A petition as the API shows it: `repeatCount` is the number of other petitions by the same
 * petitioner filed in the last 90 days; `petitioner` is masked for roles without `reporter.read`.
 */
export const petitionViewSchema = petitionSchema.extend({ repeatCount: z.number().int().min(0) });
export type PetitionView = z.infer<typeof petitionViewSchema>;

const page = { nextCursor: z.string().nullable(), asOfSeq: z.string().nullable(), logEpoch: z.string() };
/** GET /disputes, /petitions, /supervisions */
export const disputeListSchema = z.object({ items: z.array(disputeSchema), ...page });
export const petitionListSchema = z.object({ items: z.array(petitionViewSchema), ...page });
export const supervisionListSchema = z.object({ items: z.array(supervisionSchema), ...page });

const detail = { timeline: z.array(entrySchema), asOfSeq: z.string().nullable() };
/** GET /disputes/:id, /petitions/:id, /supervisions/:id: the object, its timeline (oldest first) and the log head read before it. */
export const disputeDetailSchema = disputeSchema.extend(detail);
export const petitionDetailSchema = petitionViewSchema.extend(detail);
export const supervisionDetailSchema = supervisionSchema.extend(detail);

const result = { seq: z.string(), warnings: z.array(z.object({ code: z.string(), message: z.string() })).optional() };
/** The answer of a case command: the object as GET shows it, and the seq of the appended entry. */
export const disputeCommandResultSchema = disputeSchema.extend(result);
export const petitionCommandResultSchema = petitionViewSchema.extend(result);
export const supervisionCommandResultSchema = supervisionSchema.extend(result);
/** POST /supervisions: 201 with the new order, its id and the seq of `supervision.issued`. */
export const supervisionIssuedSchema = supervisionSchema.extend({ supervisionId: z.string(), ...result });

// --- Grid workers (网格员) ---

/** A grid worker of the (demo) roster: the grids they cover, all in one community. No personal data beyond a name. */
export interface GridWorker {
  id: string;
  name: string;
  grids: string[];
  communityId: string;
}

/** The kinds of `gridworker.report` that GET /gridworkers counts. */
export const GRIDWORKER_REPORT_KINDS = ['visit', 'hazard', 'dispute_lead'] as const;
export type GridworkerReportKind = (typeof GRIDWORKER_REPORT_KINDS)[number];

/** GET /gridworkers: the workers in the caller's scopes with their reports of the last 30 days. */
export const gridWorkerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  grids: z.array(z.string()),
  communityId: z.string(),
  reports30d: z.object({ visit: z.number().int(), hazard: z.number().int(), dispute_lead: z.number().int() }),
  lastReportAt: z.string().nullable(),
});
export type GridWorkerView = z.infer<typeof gridWorkerViewSchema>;
export const gridWorkerListSchema = z.object({ items: z.array(gridWorkerViewSchema), asOfSeq: z.string().nullable() });
export type GridWorkerList = z.infer<typeof gridWorkerListSchema>;

// OpenAPI paths of the governance API (disputes, petitions, supervision orders; DESIGN §3, §4),
// from the schemas that validate it; spread into server/http/openapi.ts.
import {
  caseEscalateSchema, caseListQueryFor, caseTransitionSchema, disputeCommandResultSchema, disputeDetailSchema, disputeListSchema,
  disputeSchema, petitionCommandResultSchema, petitionDetailSchema, petitionListSchema, petitionViewSchema, supervisionAnswerSchema,
  supervisionCommandResultSchema, supervisionCreateSchema, supervisionDetailSchema, supervisionIssuedSchema, supervisionListSchema,
  supervisionSchema, type CaseKind,
} from '../../shared/governance.js';
import { authErrors, body, error, idempotencyParam, idParam, jsonBody, queryParams, schema, type Json } from './openapi-kit.js';

export const governanceSchemas = (): Json => ({
  Dispute: schema(disputeSchema), Petition: schema(petitionViewSchema), Supervision: schema(supervisionSchema),
  DisputeList: schema(disputeListSchema), PetitionList: schema(petitionListSchema), SupervisionList: schema(supervisionListSchema),
  DisputeDetail: schema(disputeDetailSchema), PetitionDetail: schema(petitionDetailSchema), SupervisionDetail: schema(supervisionDetailSchema),
  DisputeCommandResult: schema(disputeCommandResultSchema), PetitionCommandResult: schema(petitionCommandResultSchema),
  SupervisionCommandResult: schema(supervisionCommandResultSchema), SupervisionIssued: schema(supervisionIssuedSchema),
  CaseTransition: schema(caseTransitionSchema), CaseEscalate: schema(caseEscalateSchema),
  SupervisionCreate: schema(supervisionCreateSchema), SupervisionAnswer: schema(supervisionAnswerSchema),
});

const NAME: Record<CaseKind, string> = { dispute: 'Dispute', petition: 'Petition', supervision: 'Supervision' };

const listSummary = (plural: string) => `${plural} in the caller's scopes (permission read). view=located (default): cases located in the scope `
  + '(the index per jurisdiction and stage), newest change first; view=responsible: the open cases the scope itself must act on '
  + '(its responsible queue; escalation moves a case up), soonest deadline first. overdue=1 keeps open cases past their deadline. '
  + 'Visibility follows the case\'s jurisdiction (its location\'s chain), which escalation never changes.';

const commandErrors = (kind: CaseKind, conflicts: string) => ({
  400: error('Invalid request, naming the field (details.errors[].path)'),
  404: error(`${NAME[kind]} not found or out of scope`),
  409: error(`version_conflict (details.current: the current version); ${conflicts}`),
  422: error('idempotency_conflict: the Idempotency-Key was used for a different request'),
  ...authErrors,
});

/** GET list and GET one, for every kind. */
function reads(kind: CaseKind, plural: string): Json {
  const name = NAME[kind];
  return {
    [`/${plural}`]: {
      get: {
        summary: listSummary(plural[0]!.toUpperCase() + plural.slice(1)) + (kind === 'petition'
          ? ' Each petition carries repeatCount (other petitions of its petitioner in the last 90 days); the petitioner key is masked for roles without reporter.read.'
          : ''),
        parameters: queryParams(caseListQueryFor(kind)),
        responses: { 200: body(`${name}List`), 400: error('Invalid query (details.errors[].path), e.g. an unknown stage or cursor'), 404: error('Scope not visible'), ...authErrors },
      },
    },
    [`/${plural}/{id}`]: {
      get: {
        summary: `One ${kind} (permission read) with its version and timeline (every entry that touched it, oldest first)`,
        parameters: [idParam], responses: { 200: body(`${name}Detail`), 404: error('Not found or out of scope'), ...authErrors },
      },
    },
  };
}

/** Transition and escalation of disputes and petitions (permission disputes.route). */
function commands(kind: 'dispute' | 'petition', plural: string, stages: string): Json {
  const result = `${NAME[kind]}CommandResult`;
  return {
    [`/${plural}/{id}/transition`]: {
      post: {
        summary: `Move a ${kind} to its next stage (permission disputes.route): ${stages}; no stage may be skipped. `
          + 'Appends the stage\'s event from console/<username>; the stage\'s default deadline applies unless deadline is given.'
          + (kind === 'dispute' ? ' department is required (and only taken) with to=routed; risk only with to=assessed; outcome is kept on resolution.' : ' outcome is the answer (to=answered).'),
        parameters: [idParam, idempotencyParam], requestBody: jsonBody('CaseTransition'),
        responses: {
          200: body(result, `The updated ${kind} and the seq of the appended entry`),
          ...commandErrors(kind, 'invalid_transition (details.current: the stage, details.allowed: the stages allowed from it)'),
        },
      },
    },
    [`/${plural}/{id}/escalate`]: {
      post: {
        summary: `Escalate an open ${kind} (permission disputes.route): appends ${kind}.escalated; responsibleLevel moves up one level `
          + '(grid → community → street → district → city) and responsibleJurisdiction with it; who can see it does not change.',
        parameters: [idParam, idempotencyParam], requestBody: jsonBody('CaseEscalate'),
        responses: {
          200: body(result, `The escalated ${kind} and the seq of the appended entry`),
          ...commandErrors(kind, 'invalid_transition (the case is no longer open, or already the city\'s responsibility; details.current)'),
        },
      },
    },
  };
}

export const governancePaths = (): Json => {
  const supervisions = reads('supervision', 'supervisions');
  return {
    ...reads('dispute', 'disputes'),
    ...commands('dispute', 'disputes', 'registered → mediating → assessed → routed → resolved → closed (mediating and assessed may go straight to resolved)'),
    ...reads('petition', 'petitions'),
    ...commands('petition', 'petitions', 'filed → answered → closed'),
    ...supervisions,
    '/supervisions': {
      ...(supervisions['/supervisions'] as Json),
      post: {
        summary: 'Issue a supervision order (督办) on an incident, dispute or petition in the caller\'s scope (permission supervision.issue: leaders). '
          + 'Appends supervision.issued from console/<username>; the order is seen where its case is seen. level defaults to the case\'s responsible level (district for incidents).',
        parameters: [idempotencyParam], requestBody: jsonBody('SupervisionCreate'),
        responses: {
          201: body('SupervisionIssued', 'The new order, its supervisionId and the seq of its entry'),
          400: error('Invalid request naming the field; a deadline in the past (in_the_past)'),
          404: error('caseRef names no incident, dispute or petition in the caller\'s scope'),
          409: error('case_closed: the case is closed (details.current)'),
          422: error('idempotency_conflict: the Idempotency-Key was used for a different request'),
          ...authErrors,
        },
      },
    },
    '/supervisions/{id}/answer': {
      post: {
        summary: 'Answer an issued supervision order (permission supervision.answer: coordinators and duty officers): appends supervision.answered',
        parameters: [idParam, idempotencyParam], requestBody: jsonBody('SupervisionAnswer'),
        responses: {
          200: body('SupervisionCommandResult', 'The answered order and the seq of the appended entry'),
          ...commandErrors('supervision', 'invalid_transition (the order is not issued any more; details.current)'),
        },
      },
    },
  };
};

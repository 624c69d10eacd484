// OpenAPI of GET /indicators (server/http/indicator-routes.ts), spread into server/http/openapi.ts.
import { cellIndicatorSchema, indicatorQuerySchema, indicatorsResponseSchema } from '../../shared/risk.js';
import { authErrors, body, error, queryParams, schema, type Json } from './openapi-kit.js';

export function riskSchemas(): Json {
  return { CellIndicator: schema(cellIndicatorSchema), Indicators: schema(indicatorsResponseSchema) };
}

const text = [
  'The latest risk indicators (DESIGN §8; permission read) of the grid cells in the caller\'s scopes (or in scope), only cells with a value.',
  'level=grid: each cell — crimeRisk (expected crime reports over the next day), instabilityRisk (points of the documented formula),',
  'their classes (crimeClass by rank among active cells in the last full pass: top 1% very_high, to 5% high, to 10% elevated; null until ranked;',
  'instabilityClass by thresholds 2 / 6 / 12 points), the terms of both scores and the drivers (ids of the incidents and cases behind them).',
  'level=community|street|district: roll-ups of the cells inside each area — crimeRisk and instabilityRisk summed, maxCrimeRisk and',
  'maxInstabilityRisk of the hottest cell, crimeClass the hottest cell\'s, instabilityClass from the hottest cell\'s points,',
  'hotCells (cells high or very_high in either), drivers the ids of the five highest crime-risk cells. Rows are sorted by crimeRisk, highest first.',
  'asOfSeq: the log position the values are at least as new as; later indicator.updated entries replace cells.',
].join(' ');

export function riskPaths(): Json {
  return {
    '/indicators': {
      get: {
        summary: 'Risk indicators per grid, or rolled up to community, street or district',
        description: text,
        parameters: queryParams(indicatorQuerySchema),
        responses: { 200: body('Indicators'), 400: error('Invalid query naming the field (query.level)'), 404: error('Scope not visible'), ...authErrors },
      },
    },
  };
}

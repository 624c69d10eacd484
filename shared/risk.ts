// Risk indicators (DESIGN §8): what a grid cell carries, what `indicator.updated` entries say
// and what `GET /indicators` answers. One contract for the server, the worker and the browser.
import { z } from 'zod';
import { isoTime, objectId } from './events.js';
import { levelSchema } from './jurisdiction.js';

/**
 * Crime-risk rank classes, set in the periodic full pass by rank among the active cells:
 * the top 1% `very_high`, the next 4% (to 5%) `high`, the next 5% (to 10%) `elevated`, the rest `normal`.
 */
export const RISK_CLASSES = ['very_high', 'high', 'elevated', 'normal'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];
export const CRIME_CLASS_SHARES: Readonly<Record<Exclude<RiskClass, 'normal'>, number>> = { very_high: 0.01, high: 0.05, elevated: 0.1 };

/** Instability classes by fixed score thresholds (points of the formula in server/risk/instability.ts). */
export const INSTABILITY_THRESHOLDS: Readonly<Record<Exclude<RiskClass, 'normal'>, number>> = { very_high: 12, high: 6, elevated: 2 };

export function instabilityClass(score: number): RiskClass {
  if (score >= INSTABILITY_THRESHOLDS.very_high) return 'very_high';
  if (score >= INSTABILITY_THRESHOLDS.high) return 'high';
  if (score >= INSTABILITY_THRESHOLDS.elevated) return 'elevated';
  return 'normal';
}

/** The terms of a cell's crime risk, each in expected events per day (they sum to `crimeRisk`). */
export const crimeTermsSchema = z.object({
  /** long-term level: exponentially decayed count of every earlier report */
  longTerm: z.number(),
  /** the last 90 days */
  recent: z.number(),
  /** the same weekday as the day ahead */
  weekday: z.number(),
  /** spill-over from the neighbouring cells (kernel smoothing) */
  neighbours: z.number(),
  /** reports counted (last 730 days) in the cell itself */
  events: z.number().int().min(0),
});
export type CrimeTerms = z.infer<typeof crimeTermsSchema>;

/** The terms of a cell's instability risk, in points (they sum to `instabilityRisk`). */
export const instabilityTermsSchema = z.object({
  /** open disputes and petitions, each weighted by its level and age */
  open: z.number(),
  /** open cases past their deadline */
  overdue: z.number(),
  /** open cases escalated to a higher level */
  escalated: z.number(),
  /** repeat cases: the same place or the same parties within 90 days */
  repeat: z.number(),
  /** disputes that became police incidents within 90 days */
  becameIncident: z.number(),
  /** open cases counted */
  cases: z.number().int().min(0),
});
export type InstabilityTerms = z.infer<typeof instabilityTermsSchema>;

/** One cell as `indicator.updated` carries it and the store keeps it. */
export const cellIndicatorSchema = z.object({
  id: objectId,
  /** expected crime reports in the cell over the next day */
  crimeRisk: z.number().min(0),
  /** instability points (never a score on a person) */
  instabilityRisk: z.number().min(0),
  /** ids of the incidents and cases behind the values, the most telling first (at most 10) */
  drivers: z.array(z.string()),
  /** rank class of the crime risk from the last full pass (null until a full pass saw the cell) */
  crimeClass: z.enum(RISK_CLASSES).nullable(),
  instabilityClass: z.enum(RISK_CLASSES),
  terms: z.object({ crime: crimeTermsSchema, instability: instabilityTermsSchema }),
  /** when the values were computed */
  at: isoTime,
});
export type CellIndicator = z.infer<typeof cellIndicatorSchema>;

/**
 * Incident categories that count towards crime risk (shared/catalogue.ts codes): crimes and
 * disorder, not accidents, fires, hazards, missing persons or disputes (disputes weigh on
 * instability through the governance cases).
 */
export const CRIME_RISK_CATEGORIES: readonly string[] = [
  'theft', 'burglary', 'robbery', 'assault', 'fraud', 'fight', 'public_order', 'drugs', 'domestic_violence', 'other',
];

export const INDICATOR_LEVELS = ['grid', 'community', 'street', 'district'] as const;
export type IndicatorLevel = (typeof INDICATOR_LEVELS)[number];

export const indicatorQuerySchema = z.object({
  level: z.enum(INDICATOR_LEVELS).default('grid'),
  /** a jurisdiction id: only rows inside it (default: everything the caller may read) */
  scope: objectId.optional(),
});

/**
 * A row of `GET /indicators`. For a grid it is the cell itself; above, the roll-up of its cells:
 * `crimeRisk` and `instabilityRisk` are sums (expected reports per day and points in the whole
 * area), `maxCrimeRisk`/`maxInstabilityRisk` the hottest cell's, `hotCells` the cells of class
 * `high` or `very_high` in either, `drivers` the ids of its (at most 5) highest crime-risk cells.
 */
export const indicatorRowSchema = z.object({
  id: objectId,
  level: levelSchema,
  name: z.string(),
  crimeRisk: z.number(),
  instabilityRisk: z.number(),
  maxCrimeRisk: z.number(),
  maxInstabilityRisk: z.number(),
  crimeClass: z.enum(RISK_CLASSES).nullable(),
  instabilityClass: z.enum(RISK_CLASSES),
  /** cells with a value */
  cells: z.number().int().min(0),
  hotCells: z.number().int().min(0),
  drivers: z.array(z.string()),
  /** grids only: the terms of both scores */
  terms: z.object({ crime: crimeTermsSchema, instability: instabilityTermsSchema }).optional(),
  /** the newest computation among its cells */
  at: isoTime,
});
export type IndicatorRow = z.infer<typeof indicatorRowSchema>;

export const indicatorsResponseSchema = z.object({
  level: z.enum(INDICATOR_LEVELS),
  scope: z.string(),
  items: z.array(indicatorRowSchema),
  /** the log position the values are at least as new as (null: the log is empty) */
  asOfSeq: z.string().nullable(),
});
export type IndicatorsResponse = z.infer<typeof indicatorsResponseSchema>;

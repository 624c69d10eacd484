// SLA targets (DESIGN §7): arrival within N minutes per priority and area type. Plain data and
// pure functions (no zod, no I/O), so the browser's countdowns and the worker's `sla_breach`
// alerts read the same table.

export type SlaAreaType = 'urban' | 'suburban' | 'rural';

/** Minutes from report to arrival, per priority (1 highest) and area type. */
export const SLA_TARGET_MINUTES: Record<1 | 2 | 3 | 4, Record<'urban' | 'suburban' | 'rural', number>> = {
  1: { urban: 5, suburban: 10, rural: 15 },
  2: { urban: 10, suburban: 15, rural: 20 },
  3: { urban: 20, suburban: 30, rural: 45 },
  4: { urban: 60, suburban: 60, rural: 90 },
};

/** The SLA client-side and server-side clocks agree on: a report time this far from receipt is a skew. */
export const SLA_SKEW_LIMIT_MS = 2 * 60_000;

const asPriority = (p: number): 1 | 2 | 3 | 4 => (!Number.isFinite(p) || p <= 1 ? 1 : p >= 4 ? 4 : (Math.round(p) as 2 | 3));
const asArea = (a: string | null | undefined): SlaAreaType => (a === 'suburban' || a === 'rural' ? a : 'urban');

/** The SLA target in seconds for a priority (clamped to 1..4) and area type (unknown or missing: urban). */
export function slaTargetSeconds(priority: number, areaType: string | null | undefined): number {
  return SLA_TARGET_MINUTES[asPriority(priority)][asArea(areaType)] * 60;
}

/** What the SLA clock of an incident needs (a structural subset of the shared Incident). */
export interface SlaIncident {
  priority: number;
  areaType?: string | null;
  /** the report's own time (the entry's `time`) */
  reportedAt: string;
  /** the server's receipt time */
  receivedAt?: string;
  /** set by ingest when `time` was more than 2 minutes from `receivedAt` */
  clockSkew?: boolean;
}

/** When the SLA clock started (ms since the epoch): the report's time, or its receipt when the reporter's clock was off. */
export function slaStart(incident: SlaIncident): number {
  const reported = Date.parse(incident.reportedAt);
  const received = incident.receivedAt === undefined ? NaN : Date.parse(incident.receivedAt);
  if (Number.isNaN(received)) return reported;
  if (incident.clockSkew || Number.isNaN(reported) || Math.abs(received - reported) > SLA_SKEW_LIMIT_MS) return received;
  return reported;
}

/** When the incident's SLA falls due (ms since the epoch). */
export function slaDue(incident: SlaIncident): number {
  return slaStart(incident) + slaTargetSeconds(incident.priority, incident.areaType) * 1000;
}

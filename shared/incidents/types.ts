import type { AreaType, Location } from '../jurisdiction.js';
import type { GovCase } from '../governance.js';
import type { Alert, Incident, ObjectKind, Unit } from '../objects.js';

/** Where a located event lies, resolved before reducing. */
export interface Placement {
  location: Location;
  gridId: string;
  chain: string[];
  areaType: AreaType | null;
  outOfArea: boolean;
}

/** What a reducer knows besides the objects: times, source, placement, catalogue. */
export interface FactContext {
  source: string;
  /** the entry's time (the event's `time`, or receivedAt when missing) */
  time: string;
  receivedAt: string;
  /** true when `time` is more than 2 minutes from receivedAt: SLA clocks use receivedAt */
  clockSkew: boolean;
  /** chain of the city, for entries with nothing else to place them */
  cityChain: string[];
  /** the placement of `data.location`, when the event has one */
  placement: Placement | null;
  /** chain of a grid id, [] when unknown */
  chainOf(id: string): string[];
  areaTypeOf(gridId: string): AreaType | null;
}

export interface Warning {
  code: string;
  message: string;
}

/** A refusal: the event is not recorded. */
export interface Refusal {
  ok: false;
  code: string;
  message: string;
  path: string;
  details?: Record<string, unknown>;
}

/** An accepted fact: the new objects (versions already bumped) and the entry's placement. */
export interface Outcome {
  ok: true;
  incident: Incident | null;
  /** units whose state changed, with bumped versions */
  units: Unit[];
  /** the alert the fact created or changed (alert.* facts), with its bumped version */
  alert?: Alert;
  /** the governance case the fact created or changed, with its bumped version */
  case?: GovCase;
  /** other objects whose timeline shows this entry (a supervision order's case) */
  alsoTimeline?: { kind: ObjectKind; id: string }[];
  /** true when recorded in the timeline without being applied */
  stale: boolean;
  jurisdiction: string[];
  movedFrom?: string[];
  outOfArea?: boolean;
  warnings: Warning[];
}

export type ReduceResult = Outcome | Refusal;

export const refuse = (code: string, message: string, path: string, details?: Record<string, unknown>): Refusal => ({
  ok: false, code, message, path, details,
});

import type { EventSink } from './event-sink.js';
import type { Scheduler } from './scheduler.js';
import type { CityMap } from './space.js';

/** What every part of the model shares: the city, the clock's timers and the event output. */
export interface SimContext {
  readonly map: CityMap;
  readonly sink: EventSink;
  readonly scheduler: Scheduler;
  /**
   * SIM_SPEED: multiplies arrival rates and divides process durations (on-scene time,
   * mediation stages, near-repeat delays). Travel and GPS cadence stay physical, so units
   * never teleport.
   */
  readonly speed: number;
  /** Prefix of every object id the simulator creates (the simulator only touches its own). */
  readonly idPrefix: string;
  /**
   * Prefix of the units' ids: the seed's part of idPrefix without the run tag, so a restart
   * keeps the roster (units are long-lived; incidents and cases are per run).
   */
  readonly unitPrefix: string;
  /** End of the step being simulated; fixes far behind it are not worth sending. */
  nowMs: number;
}

/**
 * Whether governance work keeps office hours: only while a simulated day still lasts most of a
 * wall-clock day (below SIM_SPEED 4); faster, the wall clock's hours mean nothing to the model.
 */
export function keepsOfficeHours(ctx: SimContext): boolean {
  return ctx.speed < 4;
}

/** Scales a process duration by the simulation speed. */
export function scaled(ctx: SimContext, ms: number): number {
  return ms / ctx.speed;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

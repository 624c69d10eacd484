import type { EventData, EventType } from '../../shared/events.js';

/** A CloudEvent as the simulator produces it; assignable to the shared `CloudEvent`. */
export type SimEvent = {
  specversion: '1.0';
  id: string;
  source: string;
  type: EventType;
  time: string;
  data: Record<string, unknown>;
};

/**
 * Builds events with ids from one counter. The id prefix carries the seed and the run tag:
 * the seed keeps a run reproducible, the run tag keeps a restarted simulator from reusing
 * (source, id) pairs with new payloads, which the server would reject as id_conflict.
 */
export class EventSink {
  private counter = 0;
  private buffer: SimEvent[] = [];

  constructor(private readonly prefix: string) {}

  emit<T extends EventType>(type: T, source: string, atMs: number, data: EventData<T>): void {
    this.counter++;
    this.buffer.push({
      specversion: '1.0',
      id: `${this.prefix}-${this.counter}`,
      source,
      type,
      time: new Date(atMs).toISOString(),
      data: data as Record<string, unknown>,
    });
  }

  /** Hands over everything emitted since the last drain. */
  drain(): SimEvent[] {
    const out = this.buffer;
    this.buffer = [];
    return out;
  }
}

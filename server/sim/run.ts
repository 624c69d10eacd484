/**
 * One running simulator: the model stepped once a second, its events posted with the ingest
 * key, and — with a machine token — the unit terminals following the live feed. `npm run
 * simulate` (main.ts) runs one; tests run one in-process.
 */
import { fetchJurisdictions, IngestAborted, IngestClient } from './client.js';
import type { SimConfig } from './config.js';
import { simGridsFromCollection } from './grids.js';
import { abortableSleep } from './http-retry.js';
import { SimModel, type SimOptions, type TerminalCommand } from './model.js';
import { TerminalLink } from './terminal-link.js';

const TICK_MS = 1000;
const SUMMARY_MS = 30_000;

export interface SimulatorOptions {
  config: SimConfig;
  /** Aborting it stops the loop (after the request in flight) and the terminals */
  signal: AbortSignal;
  log?: (line: string) => void;
  /** Model options beyond the config (tests: `quiet`, `noIncidents`, `noAckShare`) */
  model?: Pick<SimOptions, 'quiet' | 'noIncidents' | 'noAckShare' | 'runId' | 'hotspots' | 'backlogDays'>;
  summaryMs?: number;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export class Simulator {
  readonly client: IngestClient;
  readonly link: TerminalLink | undefined;
  private pending: TerminalCommand[] = [];
  private wake: (() => void) | undefined;
  private readonly log: (line: string) => void;

  private constructor(readonly model: SimModel, private readonly opts: SimulatorOptions, private readonly startMs: number) {
    const { config, signal } = opts;
    this.log = opts.log ?? ((line) => console.log(line));
    this.client = new IngestClient({ target: config.target, key: config.key, signal, log: this.log });
    this.link = config.token
      ? new TerminalLink({
        target: config.target, token: config.token, log: this.log,
        owns: (unitId) => model.ownsUnit(unitId),
        deliver: (commands) => {
          this.pending.push(...commands);
          this.wake?.(); // answer within a tick's fraction, not at the next tick
        },
      })
      : undefined;
  }

  /** Reads the jurisdictions (waiting for the server) and builds the model. */
  static async create(opts: SimulatorOptions): Promise<Simulator> {
    const { config, signal } = opts;
    const log = opts.log ?? ((line: string) => console.log(line));
    const collection = await fetchJurisdictions(config.target, config.readToken, { signal, log });
    const grids = simGridsFromCollection(collection);
    if (grids.length === 0) throw new Error('the server has no grid-level jurisdictions to simulate in');
    const start = Date.now();
    const model = new SimModel({
      backlogDays: config.backlogDays, ...opts.model, grids, seed: config.seed, speed: config.speed, units: config.units, startMs: start,
    });
    log(`[sim] ${grids.length} grids, run ${model.runId}, hotspots ${[...model.hotspots].join(',')}`);
    return new Simulator(model, opts, start);
  }

  /** Steps and posts until the signal aborts; the terminals start once the roster is posted. */
  async run(): Promise<void> {
    const { signal } = this.opts;
    const summaryMs = this.opts.summaryMs ?? SUMMARY_MS;
    let last = this.startMs;
    let nextTick = this.startMs;
    let nextSummary = this.startMs + summaryMs;
    let linked = false;
    const stopLink = () => this.link?.stop();
    signal.addEventListener('abort', stopLink, { once: true });
    if (!this.link) this.log('[sim] no SIM_TOKEN: unit terminals are off (console dispatches of simulator units go unanswered)');
    try {
      while (!signal.aborted) {
        const now = Date.now();
        const commands = this.pending;
        this.pending = [];
        const events = this.model.step(now, now - last, commands);
        last = now;
        try {
          if (events.length > 0) await this.client.send(events);
        } catch (err) {
          if (err instanceof IngestAborted) {
            this.log(`[sim] stopped while retrying; ${err.unsent} events not delivered`);
            break;
          }
          throw err;
        }
        if (!linked && this.link) {
          // after the first batch (registrations): the snapshot then shows our units as they are now
          linked = true;
          void this.link.start();
        }
        if (Date.now() >= nextSummary) {
          this.summary();
          nextSummary += summaryMs * Math.max(1, Math.ceil((Date.now() - nextSummary) / summaryMs));
        }
        // Fixed-rate ticks; after a long stall, resume from now rather than firing a burst. A
        // step brought forward by the terminals leaves the tick schedule alone.
        if (now >= nextTick - 2) nextTick = Math.max(nextTick + TICK_MS, Date.now());
        if (this.pending.length === 0) {
          await Promise.race([abortableSleep(nextTick - Date.now(), signal), new Promise<void>((r) => (this.wake = r))]);
          this.wake = undefined;
        }
      }
    } finally {
      signal.removeEventListener('abort', stopLink);
      this.link?.stop();
    }
    this.summary();
  }

  summary(): void {
    const s = this.client.stats;
    const m = this.model.stats();
    const t = m.terminals;
    const link = this.link ? ` | terminals ${this.link.stats.connected ? 'online' : 'offline'} jobs=${t.jobs} ` +
      `acknowledged=${t.acknowledged} unacknowledged=${t.unacknowledged} resolved=${t.resolved} ended=${t.ended}` : '';
    this.log(
      `[sim] ${clock(Date.now())} sent=${s.sent} accepted=${s.accepted} duplicates=${s.duplicates} rejected=${s.rejected} ` +
        `retries=${s.retries} | open incidents=${m.openIncidents} waiting=${m.waitingIncidents} ` +
        `busy units=${m.busyUnits}/${this.model.units.length} | open disputes=${m.openDisputes} petitions=${m.openPetitions} ` +
        `supervisions=${m.openSupervisions}${link}`,
    );
  }
}

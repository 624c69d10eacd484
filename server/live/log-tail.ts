import type { Redis } from 'ioredis';
import type { Entry } from '../../shared/objects.js';
import { keys } from '../store/keys.js';
import { parseRecord } from '../store/log.js';

type Listener = (entries: Entry[], headSeq: string) => void;

/** Follows the log with blocking XREAD on the `tail` connection; live delivery and health read it. */
export class LogTail {
  private position: string | null = null;
  private lastOkAt = 0;
  private running = false;
  private readonly listeners = new Set<Listener>();
  private loop: Promise<void> | null = null;

  constructor(private readonly redis: Redis, private readonly blockMs = 2000) {}

  /** Starts after `from` (the log's last seq when the server starts; null for an empty log). */
  start(from: string | null): void {
    if (this.running) return;
    this.position = from;
    this.running = true;
    // the caller has just read the log head: Redis is reachable now
    this.lastOkAt = Date.now();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    // a blocked XREAD on a connection that is waiting to reconnect never settles: don't wait forever
    await Promise.race([this.loop?.catch(() => undefined), new Promise((r) => setTimeout(r, 250))]);
  }

  onEntries(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** This instance's delivered position. */
  get headSeq(): string | null {
    return this.position;
  }

  /** True when a read completed recently (a blocked read returns at least every blockMs). */
  get live(): boolean {
    return this.running && Date.now() - this.lastOkAt < this.blockMs + 5000;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const reply = (await this.redis.xread('COUNT', 1000, 'BLOCK', this.blockMs, 'STREAMS', keys.log, this.position ?? '0-0')) as
          | [string, [string, string[]][]][]
          | null;
        this.lastOkAt = Date.now();
        const records = reply?.[0]?.[1] ?? [];
        if (records.length === 0) continue;
        const entries = records.map(([id, fields]) => parseRecord(id, fields));
        this.position = entries[entries.length - 1]!.seq;
        for (const l of this.listeners) l(entries, this.position);
      } catch {
        if (!this.running) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

// Day files of the log archive: `log-YYYY-MM-DD.ndjson.gz`, one entry JSON per line, seq first,
// in log order. Reading streams through gunzip so a large day never sits in memory.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { createGzip, createGunzip, type Gzip } from 'node:zlib';
import { compareSeq, isSeq } from '../../shared/seq.js';

const FILE_PATTERN = /^log-(\d{4}-\d{2}-\d{2})\.ndjson\.gz$/;
const SEQ_PREFIX = /^\{"seq":"(\d{1,20}-\d{1,20})"/;
/** Lines are gathered into writes of about this size: one zlib call per line would be slow. */
const WRITE_BATCH_CHARS = 64 * 1024;

/** Bad content in the log or the archive: retrying cannot help. */
export class ArchiveDataError extends Error {
  override name = 'ArchiveDataError';
}

export function dayFileName(day: string): string {
  return `log-${day}.ndjson.gz`;
}

/** The archive's day files, oldest first (names sort by day). */
export async function listDayFiles(dir: string): Promise<{ day: string; path: string }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => ({ name, m: FILE_PATTERN.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ day: m[1]!, path: join(dir, name) }))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/**
 * Maps a millisecond time to its local day `YYYY-MM-DD` in `timeZone`. Memoised per minute:
 * every zone offset is a whole number of minutes, so a day never starts inside a minute.
 */
export function localDayOf(timeZone: string): (ms: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  let lastMinute = Number.NaN;
  let lastDay = '';
  return (ms) => {
    const minute = Math.floor(ms / 60_000);
    if (minute === lastMinute) return lastDay;
    const parts = fmt.formatToParts(ms);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    lastMinute = minute;
    lastDay = `${get('year')}-${get('month')}-${get('day')}`;
    return lastDay;
  };
}

/** The seq of an archived line; we write seq first, so a prefix match avoids parsing the line. */
export function lineSeq(line: string, path: string): string {
  const m = SEQ_PREFIX.exec(line);
  if (m) return m[1]!;
  let seq: unknown;
  try {
    seq = (JSON.parse(line) as { seq?: unknown }).seq;
  } catch {
    throw new ArchiveDataError(`${path}: a line is not JSON`);
  }
  if (typeof seq !== 'string' || !isSeq(seq)) throw new ArchiveDataError(`${path}: a line has no valid seq`);
  return seq;
}

/** Non-empty lines of a day file, streamed; breaking out of the loop closes the file. */
export async function* readDayLines(path: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  // errors of the file stream reach the reader through gunzip, which pipeline destroys with them
  pipeline(createReadStream(path), gunzip, () => {});
  const rl = createInterface({ input: gunzip, crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line) yield line;
  } finally {
    rl.close();
    gunzip.destroy();
  }
}

/** The first seq of a day file, or null when it has no lines. */
export async function firstSeqOf(path: string): Promise<string | null> {
  for await (const line of readDayLines(path)) return lineSeq(line, path);
  return null;
}

/**
 * Writes one day file atomically (tmp, fsync, rename, fsync dir), merging an existing file of
 * the same day by seq: an entry already there is kept once, so a retry or a run after a crash
 * between rename and watermark produces the same file.
 */
export class DayFileWriter {
  private head: { line: string; seq: string } | null = null;
  private batch: string[] = [];
  private batchChars = 0;
  private added = 0;
  lastSeq: string | null = null;

  private constructor(
    readonly day: string,
    private readonly path: string,
    private readonly tmp: string,
    private readonly gzip: Gzip,
    private readonly written: Promise<void>,
    private readonly existing: AsyncGenerator<string> | null,
  ) {}

  static async open(dir: string, day: string): Promise<DayFileWriter> {
    const path = join(dir, dayFileName(day));
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const existing = await fileExists(path) ? readDayLines(path) : null;
    const gzip = createGzip();
    const written = pipelineAsync(gzip, createWriteStream(tmp));
    written.catch(() => {}); // awaited in finish(); abort() must not leave it unhandled
    const w = new DayFileWriter(day, path, tmp, gzip, written, existing);
    await w.advance();
    return w;
  }

  /** Adds one entry line (entries arrive in log order). */
  async add(line: string, seq: string): Promise<void> {
    while (this.head && compareSeq(this.head.seq, seq) < 0) await this.takeHead();
    this.lastSeq = seq;
    if (this.head && compareSeq(this.head.seq, seq) === 0) return;
    this.added += 1;
    await this.push(line);
  }

  /** Completes the file; returns how many entries were new. Leaves the old file alone when none were. */
  async finish(): Promise<number> {
    while (this.head) await this.takeHead();
    if (this.existing && this.added === 0) {
      await this.abort();
      return 0;
    }
    await this.flush();
    this.gzip.end();
    await this.written;
    const fh = await open(this.tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(this.tmp, this.path);
    await syncDir(join(this.path, '..'));
    return this.added;
  }

  async abort(): Promise<void> {
    await this.existing?.return(undefined);
    this.gzip.destroy();
    await this.written.catch(() => {});
    await rm(this.tmp, { force: true });
  }

  private async takeHead(): Promise<void> {
    if (!this.head) return;
    await this.push(this.head.line);
    await this.advance();
  }

  private async advance(): Promise<void> {
    if (!this.existing) return;
    const next = await this.existing.next();
    if (next.done) {
      this.head = null;
      return;
    }
    const seq = lineSeq(next.value, this.path);
    if (this.head && compareSeq(this.head.seq, seq) >= 0) throw new ArchiveDataError(`${this.path}: lines out of order at ${seq}`);
    this.head = { line: next.value, seq };
  }

  private async push(line: string): Promise<void> {
    this.batch.push(line, '\n');
    this.batchChars += line.length + 1;
    if (this.batchChars >= WRITE_BATCH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const chunk = this.batch.join('');
    this.batch = [];
    this.batchChars = 0;
    if (!this.gzip.write(chunk)) await once(this.gzip, 'drain');
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await (await open(path, 'r')).close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Makes a rename durable; some platforms cannot fsync a directory, which is fine there. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    /* not supported on this platform */
  } finally {
    await fh?.close();
  }
}

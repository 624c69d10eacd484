// Each integration test file starts its own redis-server: pub/sub crosses databases, so a
// shared server would leak messages between files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchRedis, type EmbeddedRedis } from '../../server/redis/embedded.js';

export interface TestRedis {
  url: string;
  port: number;
  /** Clean shutdown; removes the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL, simulating a crash; the dir is kept for restart(). */
  kill(): Promise<void>;
  /** Starts again on the same port and dir: a durable server reloads its AOF. */
  restart(): Promise<void>;
}

const MAXMEMORY_BYTES = 256 * 1024 * 1024;

/** A fresh redis-server in a temp dir on a free port (never 6379); durable unless told otherwise. */
export async function startRedis(opts: { durable?: boolean } = {}): Promise<TestRedis> {
  const name = opts.durable === false ? 'telemetry' : 'durable';
  const dir = mkdtempSync(join(tmpdir(), `pingan-${name}-`));
  let current: EmbeddedRedis;
  try {
    current = await launchRedis({ name, dir, maxmemoryBytes: MAXMEMORY_BYTES });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = current.port;
  return {
    url: current.url,
    port,
    async stop() {
      await current.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await current.kill();
    },
    async restart() {
      await current.stop(); // no-op after kill()
      current = await launchRedis({ name, dir, port, maxmemoryBytes: MAXMEMORY_BYTES });
    },
  };
}

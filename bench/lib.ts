// Shared bench plumbing: embedded Redis servers on free ports, a server in this process, a load loop.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JurisdictionTree } from '../server/geo/types.js';
import { launchRedis, type EmbeddedRedis } from '../server/redis/embedded.js';

export interface BenchRedis {
  durable: EmbeddedRedis;
  telemetry: EmbeddedRedis;
  stop(): Promise<void>;
}

export async function benchRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-'));
  const durable = await launchRedis({ name: 'durable', dir: join(dir, 'd'), maxmemoryBytes: 2 * 1024 ** 3 });
  const telemetry = await launchRedis({ name: 'telemetry', dir: join(dir, 't') });
  return {
    durable, telemetry,
    async stop() {
      await Promise.all([durable.stop(), telemetry.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `total` tasks with `concurrency` in flight; returns elapsed seconds. */
export async function runLoad(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await task(i);
    }
  }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Writes a result file under bench/results/ and prints a summary line. */
export function report(name: string, result: Record<string, unknown>): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), ...result }, null, 2));
  process.stdout.write(`${name}: ${JSON.stringify(result)}\n  → ${file.pathname}\n`);
}

/** The centre of every grid of a tree (the mean of its outer ring's corners), by grid id. */
export function gridCentres(tree: JurisdictionTree): Map<string, { lat: number; lon: number }> {
  const out = new Map<string, { lat: number; lon: number }>();
  for (const f of tree.collection.features) {
    if (f.properties.level !== 'grid') continue;
    const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]! : f.geometry.coordinates[0]![0]!;
    const pts = ring.slice(0, -1);
    out.set(f.properties.id, { lon: pts.reduce((a, q) => a + q[0]!, 0) / pts.length, lat: pts.reduce((a, q) => a + q[1]!, 0) / pts.length });
  }
  return out;
}

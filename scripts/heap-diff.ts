/**
 * `npx tsx scripts/heap-diff.ts a.heapsnapshot b.heapsnapshot [c.heapsnapshot …] [--top 40]`:
 * the three-snapshot comparison of scripts/soak-wall.ts for snapshots on disk (`--keep-snapshots`):
 * the groups (constructors) that grow between every consecutive pair, largest growth first.
 */
import { readFileSync } from 'node:fs';
import { monotonicGrowers, summariseHeapSnapshot, type HeapSnapshotJson } from './heap-snapshot.js';

const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--top');
const ti = process.argv.indexOf('--top');
const TOP = ti >= 0 ? Number(process.argv[ti + 1]) : 40;
if (files.length < 2) {
  console.error('usage: heap-diff.ts a.heapsnapshot b.heapsnapshot [c.heapsnapshot …] [--top 40]');
  process.exit(2);
}
const sums = files.map((f) => summariseHeapSnapshot(JSON.parse(readFileSync(f, 'utf8')) as HeapSnapshotJson));
const kb = (b: number) => `${(b / 1024).toFixed(1)}K`;
console.log(`total self size: ${sums.map((s) => kb(s.totalSize)).join(' → ')}; nodes ${sums.map((s) => s.nodeCount).join(' → ')}`);
for (const g of monotonicGrowers(sums.map((s) => s.groups)).slice(0, TOP)) {
  console.log(`${kb(g.sizeGrowth).padStart(9)} ${String(g.countGrowth).padStart(7)}  ${g.name}: count ${g.counts.join(' → ')}, self ${g.selfSizes.map(kb).join(' → ')}`);
}

// The 2019 crime-risk backtest on the Chicago data (issue 7: ≤ 2 minutes), with the model's hit
// rate beside the baseline's. Skipped, saying so, when ../shared/data is absent (the data is
// never copied into the repository).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../scripts/backtest.js';
import { report } from './lib.js';

const DATA = resolve(import.meta.dirname, '../../shared/data/chicago_aggravated_assaults.csv.gz');
const TARGET_SECONDS = 120;

export async function benchBacktest(): Promise<void> {
  if (!existsSync(DATA)) {
    process.stdout.write(`  skipped: ${DATA} is absent\n`);
    return;
  }
  const t0 = performance.now();
  const { result } = runCli([DATA, '--cell', '150', '--test-year', '2019']);
  const seconds = (performance.now() - t0) / 1000;
  const at = (method: string, coverage: number) => result.results.find((r) => r.method === method && r.coverage === coverage)?.hitRate ?? NaN;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  process.stdout.write(`  2019, 150 m: ${seconds.toFixed(1)} s (≤ ${TARGET_SECONDS} s: ${seconds <= TARGET_SECONDS ? 'met' : 'missed'}); ` +
    `hit rate at 1% baseline ${pct(at('baseline', 0.01))} model ${pct(at('model', 0.01))}, at 5% baseline ${pct(at('baseline', 0.05))} model ${pct(at('model', 0.05))}\n`);
  report('backtest', { seconds, targetSeconds: TARGET_SECONDS, met: seconds <= TARGET_SECONDS, cellMeters: result.cellMeters, testDays: result.testDays, results: result.results });
}

// `npm run bench`: every benchmark of DESIGN §10 implemented so far; JSON under bench/results/.
import { benchBacktest } from './backtest.js';
import { benchIngest } from './ingest.js';
import { benchLeader } from './leader.js';
import { benchLive } from './live.js';
import { benchRecommend } from './recommend.js';
import { benchRisk } from './risk.js';
import { benchWall } from './wall.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { ingest: benchIngest, live: benchLive, recommend: benchRecommend, risk: benchRisk, backtest: benchBacktest, leader: benchLeader, wall: benchWall };

for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  process.stdout.write(`— ${name}\n`);
  await run();
}
process.exit(0);

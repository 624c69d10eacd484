// GET /indicators (DESIGN §4, §8): the latest risk indicators of the grid cells in the caller's
// scopes (or in `scope`), per grid or rolled up to community, street or district
// (server/risk/rollup.ts). Values come from the hash the commit of each `indicator.updated`
// writes; `asOfSeq` is read first, so the values are at least that new.
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { indicatorQuerySchema, type IndicatorsResponse } from '../../shared/risk.js';
import type { CellIndicator } from '../../shared/risk.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import type { JurisdictionTree } from '../geo/types.js';
import { parseStored } from '../risk/indicator-values.js';
import { rollUp } from '../risk/rollup.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { parse } from './errors.js';
import { resolveScope } from './scope-param.js';

const CHUNK = 2_000;

async function readCells(redis: Redis, grids: readonly string[] | null): Promise<CellIndicator[]> {
  const out: CellIndicator[] = [];
  const take = (raw: string | null | undefined) => {
    const s = parseStored(raw);
    if (s) out.push(s.cell);
  };
  if (grids === null) {
    for (const raw of Object.values(await redis.hgetall(keys.riskIndicators))) take(raw);
    return out;
  }
  for (let i = 0; i < grids.length; i += CHUNK) {
    const chunk = grids.slice(i, i + CHUNK);
    if (chunk.length) for (const raw of await redis.hmget(keys.riskIndicators, ...chunk)) take(raw);
  }
  return out;
}

export function indicatorRoutes(deps: { redis: Redis; tree: JurisdictionTree }): Router {
  const r = Router();
  const { redis, tree } = deps;
  r.get('/indicators', requirePermission('read'), parse(indicatorQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as { level: IndicatorsResponse['level']; scope?: string };
    const scopes = resolveScope(tree, currentUser(res).scopes, q.scope);
    const everything = scopes.includes(tree.cityId);
    const grids = everything ? null : tree.idsAt('grid').filter((g) => tree.chain(g).some((j) => scopes.includes(j)));
    const { asOfSeq } = await logHead(redis);
    const cells = (await readCells(redis, grids)).filter((c) => c.crimeRisk > 0 || c.instabilityRisk > 0);
    const body: IndicatorsResponse = { level: q.level, scope: q.scope ?? (everything ? tree.cityId : scopes.join(',')), items: rollUp(q.level, cells, tree), asOfSeq };
    res.json(body);
  });
  return r;
}

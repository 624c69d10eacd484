// Demo mode: the simulator's own credentials (DESIGN §4: "an ingest key and machine token of
// their own (demo mode creates them; INGEST_KEYS is left to other feeders)"). `npm start` makes
// two random secrets at every start and hands them to the server (DEMO_SIM_INGEST_KEY,
// DEMO_SIM_TOKEN) and to the simulator (SIM_INGEST_KEY, SIM_TOKEN); the server stores only their
// digests, under fixed ids so that a restart replaces the previous secrets instead of piling up keys.
import type { Redis } from 'ioredis';
import type { Role } from '../../shared/api.js';
import type { Config } from '../config.js';
import type { JurisdictionTree } from '../geo/types.js';
import { SIM_EVENT_TYPES, SIM_SOURCES } from '../sim/event-types.js';
import { keys } from '../store/keys.js';
import { CredentialStore, digestHex, type StoredCredential } from './credentials.js';

/** The simulator's ingest key: only the types it sends, only from `sim/…` sources. */
export const DEMO_SIM_KEY = { id: 'demo-simulator', name: 'simulator' } as const;
/**
 * The simulator's unit terminals: a machine token that reads the live feed for the whole city.
 * duty_officer is the narrowest role with `read` that sees no reporter data (leader reads too,
 * and may issue supervision orders).
 */
export const DEMO_SIM_TOKEN = { id: 'demo-simulator-terminals', name: 'simulator-terminals', role: 'duty_officer' as Role } as const;

type Spec = Omit<StoredCredential, 'createdAt' | 'rotatedAt' | 'revoked' | 'digest'>;

/**
 * Creates or updates a credential with a given secret (by its digest). The same secret and grant
 * change nothing; a new secret replaces the old one at once (the old digest stops resolving).
 */
async function upsert(redis: Redis, spec: Spec, secret: string): Promise<'created' | 'rotated' | 'unchanged' | 'updated'> {
  const digest = digestHex(secret);
  const raw = await redis.get(keys.credential(spec.id));
  const cur = raw ? (JSON.parse(raw) as StoredCredential) : null;
  const now = new Date().toISOString();
  const next: StoredCredential = {
    ...spec,
    createdAt: cur?.createdAt ?? now,
    rotatedAt: cur && cur.digest !== digest ? now : (cur?.rotatedAt ?? null),
    revoked: false,
    digest,
  };
  const same = cur !== null && JSON.stringify(cur) === JSON.stringify(next);
  // the digest index is written even when the record is unchanged: it may have been lost
  const tx = redis.multi().sadd(keys.credentials, spec.id).set(keys.credentialByDigest(digest), spec.id);
  if (!same) tx.set(keys.credential(spec.id), JSON.stringify(next));
  if (cur && cur.digest !== digest) tx.del(keys.credentialByDigest(cur.digest));
  await tx.exec();
  return !cur ? 'created' : same ? 'unchanged' : cur.digest !== digest ? 'rotated' : 'updated';
}

/**
 * Demo mode with DEMO_SIM_* set: upserts the `simulator` key and the `simulator-terminals` token
 * with these secrets (either may be given alone; an unset one is left as it is). Outside demo
 * mode DEMO_SIM_* are ignored and the demo credentials are revoked, as demo accounts stop
 * working there (their secrets were only ever handed to a demo's simulator).
 * Returns what changed, for the log.
 */
export async function syncDemoCredentials(
  redis: Redis, tree: JurisdictionTree, config: Pick<Config, 'DEMO' | 'DEMO_SIM_INGEST_KEY' | 'DEMO_SIM_TOKEN'>,
): Promise<string[]> {
  const done: string[] = [];
  if (!config.DEMO) {
    if (config.DEMO_SIM_INGEST_KEY || config.DEMO_SIM_TOKEN) done.push('secrets in DEMO_SIM_* ignored: demo mode is off');
    const store = new CredentialStore(redis);
    for (const { id, name } of [DEMO_SIM_KEY, DEMO_SIM_TOKEN]) {
      const c = await store.get(id);
      if (c && !c.revoked) {
        await store.revoke(c);
        done.push(`${name}: revoked (demo mode is off)`);
      }
    }
    return done;
  }
  if (config.DEMO_SIM_INGEST_KEY) {
    const how = await upsert(redis, {
      id: DEMO_SIM_KEY.id, name: DEMO_SIM_KEY.name, kind: 'ingest',
      types: [...SIM_EVENT_TYPES], sources: [...SIM_SOURCES], role: null, scopes: [],
    }, config.DEMO_SIM_INGEST_KEY);
    done.push(`${DEMO_SIM_KEY.name}: ${how}`);
  }
  if (config.DEMO_SIM_TOKEN) {
    const how = await upsert(redis, {
      id: DEMO_SIM_TOKEN.id, name: DEMO_SIM_TOKEN.name, kind: 'token',
      types: [], sources: [], role: DEMO_SIM_TOKEN.role, scopes: [tree.cityId],
    }, config.DEMO_SIM_TOKEN);
    done.push(`${DEMO_SIM_TOKEN.name}: ${how}`);
  }
  return done;
}

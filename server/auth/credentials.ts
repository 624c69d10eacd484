// Ingest keys (POST /events) and machine tokens (the live socket, GET requests), managed by
// admins. Only the SHA-256 of a secret is stored: secrets are 32 random bytes, so a fast hash
// is enough (nothing to brute-force), and lookup is one GET by digest.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Credential, PublicUser, Role } from '../../shared/api.js';
import { keys } from '../store/keys.js';

export type CredentialKind = Credential['kind'];

/** A stored credential: the public record plus the digest of its current secret. */
export interface StoredCredential extends Omit<Credential, 'lastUsedAt'> {
  digest: string;
}

export type NewCredential =
  | { kind: 'ingest'; name: string; types: string[]; sources: string[] }
  | { kind: 'token'; name: string; role: Role; scopes: string[] };

/** Prefixes make a leaked secret recognisable (secret scanners) and tell the two kinds apart. */
const PREFIX: Record<CredentialKind, string> = { ingest: 'pgk_', token: 'pgt_' };
const SECRET_RE = /^pg[kt]_[A-Za-z0-9_-]{43}$/;

export const digestHex = (secret: string) => createHash('sha256').update(secret).digest('hex');
const newSecret = (kind: CredentialKind) => `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
/** A key id: short, URL-safe, not guessable from its neighbours. */
export const newCredentialId = () => randomBytes(9).toString('base64url');
export const isSecretShaped = (s: string) => SECRET_RE.test(s);

/** How long a resolved (or unknown) secret is trusted without asking Redis: revocation takes effect within it. */
export const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;
/** lastUsedAt is written at most this often per credential and instance. */
const TOUCH_EVERY_MS = 60_000;

/** The synthetic user a machine token acts as. */
export function tokenUser(c: Pick<StoredCredential, 'id' | 'name' | 'role' | 'scopes'>): PublicUser {
  return { id: `token:${c.id}`, username: c.name, displayName: c.name, roles: c.role ? [c.role] : [], scopes: c.scopes };
}

export class CredentialStore {
  private readonly cache = new Map<string, { cred: StoredCredential | null; at: number }>();
  private readonly touched = new Map<string, number>();

  constructor(private readonly redis: Redis, private readonly ttlMs = CACHE_TTL_MS) {}

  async create(input: NewCredential, id = newCredentialId()): Promise<{ key: Credential; secret: string }> {
    const secret = newSecret(input.kind);
    const c: StoredCredential = {
      id, name: input.name, kind: input.kind,
      types: input.kind === 'ingest' ? input.types : [], sources: input.kind === 'ingest' ? input.sources : [],
      role: input.kind === 'token' ? input.role : null, scopes: input.kind === 'token' ? input.scopes : [],
      createdAt: new Date().toISOString(), rotatedAt: null, revoked: false, digest: digestHex(secret),
    };
    await this.redis.multi()
      .set(keys.credential(c.id), JSON.stringify(c))
      .sadd(keys.credentials, c.id)
      .set(keys.credentialByDigest(c.digest), c.id)
      .exec();
    return { key: await this.view(c), secret };
  }

  async get(id: string): Promise<StoredCredential | null> {
    const j = await this.redis.get(keys.credential(id));
    return j ? (JSON.parse(j) as StoredCredential) : null;
  }

  /** Every credential, revoked ones included (oldest first), without secrets. */
  async list(): Promise<Credential[]> {
    const ids = await this.redis.smembers(keys.credentials);
    if (ids.length === 0) return [];
    const [recs, used] = await Promise.all([
      this.redis.mget(...ids.map((id) => keys.credential(id))),
      this.redis.mget(...ids.map((id) => keys.credentialUsed(id))),
    ]);
    const out = recs.flatMap((j, i) => (j ? [{ ...strip(JSON.parse(j) as StoredCredential), lastUsedAt: used[i] ?? null }] : []));
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async view(c: StoredCredential): Promise<Credential> {
    return { ...strip(c), lastUsedAt: await this.redis.get(keys.credentialUsed(c.id)) };
  }

  /** A new secret; the old one stops working (at once here, within the cache TTL elsewhere). */
  async rotate(c: StoredCredential): Promise<{ key: Credential; secret: string }> {
    const secret = newSecret(c.kind);
    const next: StoredCredential = { ...c, digest: digestHex(secret), rotatedAt: new Date().toISOString() };
    await this.redis.multi()
      .set(keys.credential(c.id), JSON.stringify(next))
      .del(keys.credentialByDigest(c.digest))
      .set(keys.credentialByDigest(next.digest), c.id)
      .exec();
    this.cache.delete(c.digest);
    return { key: await this.view(next), secret };
  }

  async revoke(c: StoredCredential): Promise<Credential> {
    const next: StoredCredential = { ...c, revoked: true };
    await this.redis.multi().set(keys.credential(c.id), JSON.stringify(next)).del(keys.credentialByDigest(c.digest)).exec();
    this.cache.delete(c.digest);
    return this.view(next);
  }

  /** The live credential of this kind for a secret, or null; answers from a short cache. */
  async resolve(secret: string, kind: CredentialKind): Promise<StoredCredential | null> {
    if (!isSecretShaped(secret) || !secret.startsWith(PREFIX[kind])) return null;
    const digest = digestHex(secret);
    const now = Date.now();
    const hit = this.cache.get(digest);
    let cred: StoredCredential | null;
    if (hit && now - hit.at < this.ttlMs) cred = hit.cred;
    else {
      const id = await this.redis.get(keys.credentialByDigest(digest));
      const c = id ? await this.get(id) : null;
      cred = c && !c.revoked && c.digest === digest ? c : null;
      // unknown secrets are cached too, so guessing costs no Redis round trip; the size bound
      // keeps a flood of guesses from growing memory
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(digest, { cred, at: now });
    }
    if (cred && cred.kind === kind) {
      this.touch(cred.id, now);
      return cred;
    }
    return null;
  }

  /** Records use, at most once a minute per credential (a write per request would dominate ingest). */
  private touch(id: string, now: number): void {
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.redis.set(keys.credentialUsed(id), new Date(now).toISOString()).catch(() => this.touched.delete(id));
  }
}

function strip(c: StoredCredential): Omit<Credential, 'lastUsedAt'> {
  const { digest: _digest, ...rest } = c;
  return rest;
}

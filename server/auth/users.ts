import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PublicUser, Role } from '../../shared/api.js';
import { keys } from '../store/keys.js';

/** A stored user; the hash never leaves the server. */
export interface StoredUser extends PublicUser {
  passwordHash: string;
  disabled: boolean;
  kiosk?: boolean;
}

export const toPublic = (u: StoredUser): PublicUser => ({
  id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, scopes: u.scopes,
});

export async function getUser(redis: Redis, username: string): Promise<StoredUser | null> {
  const j = await redis.get(keys.user(username));
  return j ? (JSON.parse(j) as StoredUser) : null;
}

/** Creates or replaces a user, keeping its id when it exists. */
export async function putUser(
  redis: Redis,
  u: { username: string; displayName: string; roles: Role[]; scopes: string[]; passwordHash: string; disabled?: boolean },
): Promise<StoredUser> {
  const existing = await getUser(redis, u.username);
  const user: StoredUser = { id: existing?.id ?? randomUUID(), disabled: false, ...u };
  await redis.multi().set(keys.user(u.username), JSON.stringify(user)).sadd(keys.users, u.username).exec();
  return user;
}

export async function listUsers(redis: Redis): Promise<StoredUser[]> {
  const names = (await redis.smembers(keys.users)).sort();
  if (names.length === 0) return [];
  const vals = await redis.mget(...names.map((n) => keys.user(n)));
  return vals.flatMap((v) => (v ? [JSON.parse(v) as StoredUser] : []));
}

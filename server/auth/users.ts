import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AdminUser, PublicUser, Role } from '../../shared/api.js';
import { can } from '../../shared/permissions.js';
import { keys } from '../store/keys.js';

/** A stored user; the hash never leaves the server. */
export interface StoredUser extends PublicUser {
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
  /** seeded by demo mode: usable only while DEMO=1 (setting a password makes it a real account) */
  demo?: boolean;
}

export const toPublic = (u: StoredUser): PublicUser => ({
  id: u.id, username: u.username, displayName: u.displayName, roles: u.roles, scopes: u.scopes,
});

export const toAdmin = (u: StoredUser, locked: boolean): AdminUser => ({ ...toPublic(u), disabled: u.disabled, locked, createdAt: u.createdAt });

function decode(j: string): StoredUser {
  const u = JSON.parse(j) as Partial<StoredUser> & PublicUser & { passwordHash: string };
  // records written before createdAt existed
  return { ...u, disabled: u.disabled ?? false, createdAt: u.createdAt ?? new Date(0).toISOString() };
}

export async function getUser(redis: Redis, username: string): Promise<StoredUser | null> {
  const j = await redis.get(keys.user(username));
  return j ? decode(j) : null;
}

async function write(redis: Redis, user: StoredUser): Promise<StoredUser> {
  await redis.multi().set(keys.user(user.username), JSON.stringify(user)).sadd(keys.users, user.username).exec();
  return user;
}

export interface NewUser {
  username: string;
  displayName: string;
  roles: Role[];
  scopes: string[];
  passwordHash: string;
  disabled?: boolean;
  demo?: boolean;
}

/** Creates or replaces a user, keeping its id and creation time when it exists (demo seeding). */
export async function putUser(redis: Redis, u: NewUser): Promise<StoredUser> {
  const existing = await getUser(redis, u.username);
  return write(redis, { id: existing?.id ?? randomUUID(), createdAt: existing?.createdAt ?? new Date().toISOString(), disabled: false, ...u });
}

/** Creates a user; null when the username is taken (SET NX, so two admins cannot both create it). */
export async function createUser(redis: Redis, u: NewUser): Promise<StoredUser | null> {
  const user: StoredUser = { id: randomUUID(), createdAt: new Date().toISOString(), disabled: false, ...u };
  const ok = await redis.set(keys.user(u.username), JSON.stringify(user), 'NX');
  if (ok !== 'OK') return null;
  await redis.sadd(keys.users, u.username);
  // a lock left from failed attempts on this name before it existed must not greet the new account
  await redis.del(keys.loginLock(u.username), keys.loginFailures(u.username));
  return user;
}

export type UserPatch = Partial<Pick<StoredUser, 'displayName' | 'roles' | 'scopes' | 'disabled' | 'passwordHash'>> & { demo?: false };

/** Applies a patch to an existing user; null when there is none. */
export async function updateUser(redis: Redis, username: string, patch: UserPatch): Promise<StoredUser | null> {
  const u = await getUser(redis, username);
  if (!u) return null;
  const next: StoredUser = { ...u, ...patch };
  if (patch.demo === false) delete next.demo;
  return write(redis, next);
}

export async function listUsers(redis: Redis): Promise<StoredUser[]> {
  const names = (await redis.smembers(keys.users)).sort();
  if (names.length === 0) return [];
  const vals = await redis.mget(...names.map((n) => keys.user(n)));
  return vals.flatMap((v) => (v ? [decode(v)] : []));
}

/** Which of these usernames are locked, in one round trip. */
export async function lockedSet(redis: Redis, usernames: readonly string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const p = redis.pipeline();
  for (const n of usernames) p.exists(keys.loginLock(n));
  const res = (await p.exec()) ?? [];
  return new Set(usernames.filter((_, i) => Number(res[i]?.[1] ?? 0) === 1));
}

/** A user that may sign in in this mode: enabled, and demo accounts only in demo mode. */
export const usable = (u: StoredUser, demoMode: boolean) => !u.disabled && (demoMode || !u.demo);

/** True when an enabled, real (non-demo) user may manage users: a production start needs one. */
export async function hasAdmin(redis: Redis): Promise<boolean> {
  return (await listUsers(redis)).some((u) => usable(u, false) && can(u.roles, 'users.manage'));
}

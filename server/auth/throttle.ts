// Login throttling (DESIGN §11): growing delays per (account, address), and an account-wide lock
// only after many failures across addresses, so that one attacker's address slows itself down
// without locking the night duty officer out.
import type { Redis } from 'ioredis';
import type { ScriptedRedis } from '../store/scripts.js';
import { keys } from '../store/keys.js';

export const THROTTLE = {
  /** failures per (account, address) answered without delay; the 5th failure starts the delays */
  freeFailures: 4,
  /** the delay after the 5th failure; it doubles with every further one */
  baseDelaySeconds: 1,
  maxDelaySeconds: 15 * 60,
  /** failures across addresses (without a success in between) that lock the account */
  lockAfter: 20,
  /** quiet time after which failure counts are forgotten */
  stateTtlSeconds: 24 * 3600,
  /** how long a lock on an unknown username stays (a real account's lock stays until an admin lifts it) */
  unknownLockSeconds: 24 * 3600,
} as const;

/** Seconds an (account, address) must wait after its n-th consecutive failure: 0, …, 0, 1, 2, 4, … ≤ 15 min. */
export function delayAfterFailures(n: number): number {
  if (n <= THROTTLE.freeFailures) return 0;
  const exp = n - THROTTLE.freeFailures - 1;
  // 2^exp overflows nothing here: the cap is reached at exp = 10
  return Math.min(THROTTLE.baseDelaySeconds * 2 ** Math.min(exp, 30), THROTTLE.maxDelaySeconds);
}

/** The delays (ms) after the 1st, 2nd, … failure, up to the first capped one (the script repeats the last). */
export function delayTableMs(): number[] {
  const out: number[] = [];
  for (let n = 1; ; n++) {
    const s = delayAfterFailures(n);
    out.push(s * 1000);
    if (s >= THROTTLE.maxDelaySeconds) return out;
  }
}

/** Retry-After for a wait of `ms` milliseconds: whole seconds, at least 1. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export type AttemptDecision = { kind: 'locked' } | { kind: 'wait'; retryAfterSeconds: number } | { kind: 'go'; attempt: number };

const TABLE = delayTableMs();

/**
 * Reserves one attempt for (username, address): refused while the account is locked or the
 * pair's delay runs; otherwise counted as a failure until `loginSucceeded` clears it.
 */
export async function beginAttempt(redis: ScriptedRedis, username: string, address: string, now = Date.now()): Promise<AttemptDecision> {
  const r = (await redis.pinganLoginAttempt(keys.loginThrottle(username, address), keys.loginLock(username), now, THROTTLE.stateTtlSeconds, ...TABLE)) as [string, number];
  if (r[0] === 'locked') return { kind: 'locked' };
  if (r[0] === 'wait') return { kind: 'wait', retryAfterSeconds: retryAfterSeconds(Number(r[1])) };
  return { kind: 'go', attempt: Number(r[1]) };
}

/** A wrong password: counts against the account across addresses; locks it at THROTTLE.lockAfter. */
export async function loginFailed(redis: Redis, username: string, userExists: boolean): Promise<{ accountFailures: number; locked: boolean }> {
  const k = keys.loginFailures(username);
  const res = await redis.multi().incr(k).expire(k, THROTTLE.stateTtlSeconds).exec();
  const accountFailures = Number(res?.[0]?.[1] ?? 0);
  if (accountFailures < THROTTLE.lockAfter) return { accountFailures, locked: false };
  // an unknown name locks like a real one (no difference to observe), but not forever
  if (userExists) await redis.set(keys.loginLock(username), new Date().toISOString());
  else await redis.set(keys.loginLock(username), new Date().toISOString(), 'EX', THROTTLE.unknownLockSeconds);
  return { accountFailures, locked: true };
}

/** A success forgets the failures of this pair and of the account. */
export async function loginSucceeded(redis: Redis, username: string, address: string): Promise<void> {
  await redis.del(keys.loginThrottle(username, address), keys.loginFailures(username));
}

export async function isLocked(redis: Redis, username: string): Promise<boolean> {
  return (await redis.exists(keys.loginLock(username))) === 1;
}

/** Lifts a lock and forgets the account's failures (the pairs' delays run out on their own). */
export async function unlock(redis: Redis, username: string): Promise<boolean> {
  const [lock] = (await redis.multi().del(keys.loginLock(username)).del(keys.loginFailures(username)).exec()) ?? [];
  return Number(lock?.[1] ?? 0) > 0;
}

import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const load = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const COMMIT = load('commit.lua');
const POSITIONS = load('positions.lua');
const FIX = load('fix.lua');
const LOGIN_ATTEMPT = load('login-attempt.lua');
const AUDIT = load('audit.lua');

type Reply = unknown;

/** A Redis client with the project's scripts registered (defineCommand handles NOSCRIPT after a failover). */
export interface ScriptedRedis extends Redis {
  /** ARGV as one array (ioredis flattens it) or spread */
  pinganCommit(...args: ((string | number) | (string | number)[])[]): Promise<Reply>;
  pinganPositions(...args: (string | number)[]): Promise<Reply>;
  pinganFix(key: string, ...args: (string | number)[]): Promise<Reply>;
  pinganLoginAttempt(throttleKey: string, lockKey: string, ...args: (string | number)[]): Promise<Reply>;
  pinganAudit(streamKey: string, headKey: string, ...args: string[]): Promise<Reply>;
}

/** Registers the scripts on a client and returns it typed. */
export function defineScripts(r: Redis): ScriptedRedis {
  r.defineCommand('pinganCommit', { numberOfKeys: 0, lua: COMMIT });
  r.defineCommand('pinganPositions', { numberOfKeys: 0, lua: POSITIONS });
  r.defineCommand('pinganFix', { numberOfKeys: 1, lua: FIX });
  r.defineCommand('pinganLoginAttempt', { numberOfKeys: 2, lua: LOGIN_ATTEMPT });
  r.defineCommand('pinganAudit', { numberOfKeys: 2, lua: AUDIT });
  return r as ScriptedRedis;
}

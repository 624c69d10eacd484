// `npm run users -- add|disable|enable|set-password|set-scopes|set-roles|unlock|list`: user
// administration on the durable Redis (REDIS_URL), for the first admin and for scripts. Does
// what the admin API does — sessions end and sockets disconnect on every instance (through the
// Socket.IO Redis stream) — and leaves the same audit records, by `cli:<os user>`.
import { userInfo } from 'node:os';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import { createUserSchema, roleSchema, setPasswordSchema, type Role } from '../../shared/api.js';
import { RedisAudit } from '../audit/trail.js';
import { ConfigError, parseConfig } from '../config.js';
import { loadJurisdictions } from '../geo/tree.js';
import { DeferredLiveControl } from '../live/control.js';
import { ADAPTER_OPTIONS } from '../live/socket-server.js';
import { createLogger } from '../logger.js';
import { adapterConnection, commandConnection } from '../redis/connections.js';
import { hashPassword } from './passwords.js';
import { destroyUserSessions } from './sessions.js';
import { isLocked, unlock } from './throttle.js';
import { createUser, getUser, listUsers, lockedSet, updateUser, type StoredUser } from './users.js';
import { parseArgs, promptPassword, readStdin, UsageError, USAGE, type CliArgs } from './users-cli-args.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `${err.message}\n\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (!process.env.REDIS_URL) {
    process.stderr.write('REDIS_URL: required (the durable Redis the servers use)\n');
    return 2;
  }
  const config = parseConfig(process.env);
  const redis = commandConnection(config.REDIS_URL, 'users-cli');
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', () => resolve());
    setTimeout(() => reject(new Error(`cannot reach Redis at REDIS_URL within 5 s`)), 5000).unref();
  });
  const adapterRedis = adapterConnection(config.REDIS_URL);
  // an unattached Socket.IO server: only its adapter is used, to reach every instance's sockets
  const io = new Server({ adapter: createAdapter(adapterRedis, ADAPTER_OPTIONS) });
  const control = new DeferredLiveControl();
  control.attach(io);
  const log = createLogger('warn', 'users');
  const audit = new RedisAudit(redis, { retentionDays: config.AUDIT_RETENTION_DAYS, log });
  const actor = `cli:${userInfo().username}`;
  const record = (action: string, username: string, details?: Record<string, unknown>) =>
    audit.recordOrThrow({ user: actor, role: null, action, object: `user:${username}`, result: 'success', address: null, details: { via: 'cli', ...details } });
  try {
    return await run(args, {
      redis, control, record,
      unknownScopes: (ids) => {
        const tree = loadJurisdictions(config.JURISDICTION_FILE, config.GRID_CELL_METERS);
        return ids.filter((id) => !tree.get(id));
      },
    });
  } finally {
    // the server was never attached (io.close() would trip over the missing engine); the process exits next
    await io.of('/').adapter.close();
    adapterRedis.disconnect();
    redis.disconnect();
  }
}

interface Ctx {
  redis: ReturnType<typeof commandConnection>;
  control: DeferredLiveControl;
  record(action: string, username: string, details?: Record<string, unknown>): Promise<unknown>;
  /** the ids that are no jurisdiction */
  unknownScopes(ids: string[]): string[];
}

function checkRoles(roles: string[]): Role[] {
  const bad = roles.filter((r) => !roleSchema.safeParse(r).success);
  if (bad.length > 0 || roles.length === 0) throw new UsageError(`unknown role(s): ${bad.join(', ') || '(none given)'}`);
  return roles as Role[];
}

function checkScopes(ctx: Ctx, scopes: string[]): string[] {
  const unknown = ctx.unknownScopes(scopes);
  if (unknown.length > 0 || scopes.length === 0) throw new UsageError(`unknown jurisdiction id(s): ${unknown.join(', ') || '(none given)'}`);
  return scopes;
}

async function password(args: CliArgs): Promise<string> {
  const pw = args.passwordStdin ? await readStdin() : await promptPassword();
  const r = setPasswordSchema.safeParse({ password: pw });
  if (!r.success) throw new UsageError(`password: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return pw;
}

async function existing(ctx: Ctx, username: string): Promise<StoredUser> {
  const u = await getUser(ctx.redis, username);
  if (!u) throw new UsageError(`no user ${username}`);
  return u;
}

async function signOut(ctx: Ctx, u: StoredUser): Promise<void> {
  await destroyUserSessions(ctx.redis, u.id);
  await ctx.control.disconnectUser(u.id);
}

async function run(args: CliArgs, ctx: Ctx): Promise<number> {
  const { redis } = ctx;
  const name = args.username!;
  switch (args.command) {
    case 'list': {
      const users = await listUsers(redis);
      const locked = await lockedSet(redis, users.map((u) => u.username));
      for (const u of users) {
        const flags = [u.disabled && 'disabled', locked.has(u.username) && 'locked', u.demo && 'demo'].filter(Boolean).join(',');
        out([u.username, u.displayName, u.roles.join(','), u.scopes.join(','), flags].join('\t'));
      }
      return 0;
    }
    case 'add': {
      if (!createUserSchema.shape.username.safeParse(name).success) throw new UsageError('username: letters, digits, . _ - (2–64 characters)');
      const roles = checkRoles(args.roles!);
      const scopes = checkScopes(ctx, args.scopes!);
      if (await getUser(redis, name)) throw new UsageError(`user ${name} exists`);
      const passwordHash = await hashPassword(await password(args));
      await ctx.record('users.create', name, { roles, scopes });
      const u = await createUser(redis, { username: name, displayName: args.name ?? name, roles, scopes, passwordHash });
      if (!u) throw new UsageError(`user ${name} exists`);
      out(`created ${name} (${roles.join(',')}; ${scopes.join(',')})`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const u = await existing(ctx, name);
      const disabled = args.command === 'disable';
      await ctx.record('users.update', name, { changed: { disabled } });
      await updateUser(redis, name, { disabled });
      if (disabled) await signOut(ctx, u);
      out(`${name} ${disabled ? 'disabled; its sessions ended' : 'enabled'}`);
      return 0;
    }
    case 'set-password': {
      const u = await existing(ctx, name);
      const passwordHash = await hashPassword(await password(args));
      await ctx.record('users.password', name);
      await updateUser(redis, name, { passwordHash, demo: false });
      await signOut(ctx, u);
      out(`password of ${name} set; its sessions ended`);
      return 0;
    }
    case 'set-scopes':
    case 'set-roles': {
      const u = await existing(ctx, name);
      const patch = args.command === 'set-scopes' ? { scopes: checkScopes(ctx, args.scopes!) } : { roles: checkRoles(args.roles!) };
      await ctx.record('users.update', name, { changed: patch });
      await updateUser(redis, name, patch);
      // sockets re-handshake into the delivery room of the new roles or scopes
      await ctx.control.disconnectUser(u.id);
      out(`${name}: ${JSON.stringify(patch)}`);
      return 0;
    }
    case 'unlock': {
      await existing(ctx, name);
      await ctx.record('users.unlock', name, { wasLocked: await isLocked(redis, name) });
      out(`${name} ${(await unlock(redis, name)) ? 'unlocked' : 'was not locked'}`);
      return 0;
    }
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`users: ${(err as Error).message ?? String(err)}\n`);
  process.exit(err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
});

import { Router, type Request } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createUserSchema, setPasswordSchema, updateUserSchema } from '../../shared/api.js';
import { can } from '../../shared/permissions.js';
import { hashPassword } from '../auth/passwords.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { destroyUserSessions } from '../auth/sessions.js';
import { isLocked, unlock } from '../auth/throttle.js';
import { createUser, getUser, listUsers, lockedSet, toAdmin, updateUser, usable, type StoredUser } from '../auth/users.js';
import type { JurisdictionTree } from '../geo/types.js';
import type { LiveControl } from '../live/control.js';
import { act, check, fail, scopeErrors } from './admin-kit.js';
import { ApiError, notFound } from './errors.js';

export interface AdminUserDeps {
  redis: Redis;
  tree: JurisdictionTree;
  control: LiveControl;
  /** demo mode: demo accounts count as usable administrators */
  demo: boolean;
}

const params = z.object({ username: createUserSchema.shape.username });
const target = (req: Request) => `user:${String(req.params.username ?? '').slice(0, 64)}`;
const bodyTarget = (req: Request) => `user:${String((req.body as { username?: unknown } | undefined)?.username ?? '').slice(0, 64)}`;
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** /admin/users: people's accounts (permission users.manage). */
export function adminUserRoutes(d: AdminUserDeps): Router {
  const r = Router();
  const guard = requirePermission('users.manage');
  const { redis } = d;

  async function existing(req: Request): Promise<StoredUser> {
    const { username } = check(params, req.params, 'params');
    const u = await getUser(redis, username);
    if (!u) throw notFound(`user ${username}`);
    return u;
  }

  /** Ends a user's sessions and cuts their sockets on every instance, at once. */
  async function signOut(u: StoredUser): Promise<void> {
    await destroyUserSessions(redis, u.id);
    await d.control.disconnectUser(u.id);
  }

  /** Refuses to leave nobody who can manage users (409): the last admin cannot lock everyone out. */
  async function keepAnAdmin(u: StoredUser, next: Pick<StoredUser, 'roles' | 'disabled'>): Promise<void> {
    if (!can(u.roles, 'users.manage') || u.disabled || (can(next.roles, 'users.manage') && !next.disabled)) return;
    const others = (await listUsers(redis)).filter((o) => o.id !== u.id && usable(o, d.demo) && can(o.roles, 'users.manage'));
    if (others.length === 0) throw new ApiError(409, 'last_admin', 'this is the last enabled administrator');
  }

  r.get('/admin/users', guard, async (_req, res) => {
    const users = await listUsers(redis);
    const locked = await lockedSet(redis, users.map((u) => u.username));
    res.json({ items: users.map((u) => toAdmin(u, locked.has(u.username))) });
  });

  r.post('/admin/users', guard, act('users.create', bodyTarget, async (req) => {
    const body = check(createUserSchema, req.body, '');
    fail(scopeErrors(d.tree, body.scopes));
    if (await getUser(redis, body.username)) throw new ApiError(409, 'user_exists', `user ${body.username} exists`);
    const { password, ...rest } = body;
    const passwordHash = await hashPassword(password);
    return {
      details: { displayName: body.displayName, roles: body.roles, scopes: body.scopes },
      async run() {
        const u = await createUser(redis, { ...rest, passwordHash });
        if (!u) throw new ApiError(409, 'user_exists', `user ${body.username} exists`); // created meanwhile
        return { status: 201, body: { user: toAdmin(u, false) } };
      },
    };
  }));

  r.patch('/admin/users/:username', guard, act('users.update', target, async (req) => {
    const { username } = check(params, req.params, 'params');
    const patch = check(updateUserSchema, req.body, '');
    fail(scopeErrors(d.tree, patch.scopes));
    const u = await existing(req);
    await keepAnAdmin(u, { roles: patch.roles ?? u.roles, disabled: patch.disabled ?? u.disabled });
    const reach = (patch.roles && !sameSet(patch.roles, u.roles)) || (patch.scopes && !sameSet(patch.scopes, u.scopes));
    return {
      details: { changed: patch },
      async run() {
        const updated = (await updateUser(redis, username, patch)) ?? u;
        if (patch.disabled === true && !u.disabled) await signOut(updated);
        // sessions stay valid (REST reads the user afresh on every request); sockets re-handshake
        // so that they join the delivery room of the new roles and scopes
        else if (reach) await d.control.disconnectUser(u.id);
        return { status: 200, body: { user: toAdmin(updated, await isLocked(redis, username)) } };
      },
    };
  }));

  r.post('/admin/users/:username/password', guard, act('users.password', target, async (req) => {
    check(params, req.params, 'params');
    const { password } = check(setPasswordSchema, req.body, '');
    const u = await existing(req);
    const passwordHash = await hashPassword(password);
    return {
      async run() {
        // a new password makes a demo account a real one, and ends sessions opened with the old one
        await updateUser(redis, u.username, { passwordHash, demo: false });
        await signOut(u);
        return { status: 204 };
      },
    };
  }));

  r.post('/admin/users/:username/logout', guard, act('users.logout', target, async (req) => {
    const u = await existing(req);
    return { run: async () => (await signOut(u), { status: 204 }) };
  }));

  r.post('/admin/users/:username/unlock', guard, act('users.unlock', target, async (req) => {
    const u = await existing(req);
    const wasLocked = await isLocked(redis, u.username);
    return { details: { wasLocked }, run: async () => (await unlock(redis, u.username), { status: 204 }) };
  }));

  return r;
}

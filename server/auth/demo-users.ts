import type { Redis } from 'ioredis';
import type { Role } from '../../shared/api.js';
import type { JurisdictionTree } from '../geo/types.js';
import { demoRoster } from '../stats/duty.js';
import { keys } from '../store/keys.js';
import { hashPassword } from './passwords.js';
import { putUser } from './users.js';

const CITY_USERS: { username: string; displayName: string; roles: Role[] }[] = [
  { username: 'admin', displayName: '系统管理员', roles: ['admin'] },
  { username: 'auditor', displayName: '审计员', roles: ['auditor'] },
  { username: 'leader', displayName: '带班领导', roles: ['leader'] },
  { username: 'coordinator', displayName: '调度员', roles: ['coordinator'] },
  { username: 'duty', displayName: '值班员', roles: ['duty_officer'] },
];

/** Demo mode: the demo users, with their password reset to `password` at every start (usable only in demo mode). */
export async function seedDemoUsers(redis: Redis, tree: JurisdictionTree, password: string): Promise<string[]> {
  const hash = await hashPassword(password);
  const names: string[] = [];
  for (const u of CITY_USERS) {
    await putUser(redis, { ...u, scopes: [tree.cityId], passwordHash: hash, demo: true });
    names.push(u.username);
  }
  for (const d of tree.idsAt('district')) {
    const name = tree.get(d)?.name ?? d;
    await putUser(redis, { username: `duty-${d}`, displayName: `${name}值班员`, roles: ['duty_officer'], scopes: [d], passwordHash: hash, demo: true });
    names.push(`duty-${d}`);
  }
  // the duty roster (GET /duty, escalation to the leader on duty): seeded once, an admin's roster is kept
  await redis.set(keys.dutyRoster, JSON.stringify(demoRoster(tree)), 'NX');
  await redis.set(keys.demoSeeded, new Date().toISOString());
  return names;
}

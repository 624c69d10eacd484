// A production start (DEMO unset or 0) needs someone who can manage users: without one, nobody
// could ever sign in to create accounts, so the server refuses and says how to create the first.
import type { Redis } from 'ioredis';
import { destroyUserSessions } from './sessions.js';
import { listUsers } from './users.js';

export class NoAdminError extends Error {
  constructor(redisUrl: string, cityId: string) {
    super([
      'No administrator exists (demo accounts do not count outside demo mode), so nobody could sign in to manage users.',
      'Create the first one, then start again:',
      '',
      `  printf '%s' "$ADMIN_PASSWORD" | REDIS_URL=${maskUrl(redisUrl)} npm run users -- add admin --roles admin --scopes ${cityId} --name "系统管理员" --password-stdin`,
      '',
      '(or leave out --password-stdin to be asked for the password on a terminal)',
    ].join('\n'));
    this.name = 'NoAdminError';
  }
}

function maskUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<redis url>';
  }
}

/**
 * Outside demo mode, demo accounts (seeded with a shared, printed password) must not keep a way
 * in: their sessions end here and their logins are refused until an admin sets a real password.
 */
export async function endDemoSessions(redis: Redis): Promise<number> {
  let n = 0;
  for (const u of await listUsers(redis)) if (u.demo) n += await destroyUserSessions(redis, u.id);
  return n;
}

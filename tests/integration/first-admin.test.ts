// A production start (DEMO=0) without an administrator refuses and says how to create one;
// `npm run users` creates it; demo accounts and their sessions stop working outside demo mode.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoAdminError } from '../../server/auth/first-admin.js';
import { parseConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/runtime.js';
import { clientFor, login } from '../helpers/auth.js';
import { demoTree } from '../helpers/geo.js';
import { startStack, type Stack } from '../helpers/stack.js';

const run = promisify(execFile);
let s: Stack;
beforeAll(async () => {
  s = await startStack(); // demo mode: the demo accounts exist
});
afterAll(async () => {
  await s?.stop();
});

const users = (args: string[], input?: string) => {
  const child = run(process.execPath, ['--import', 'tsx', 'server/auth/users-cli.ts', ...args], { env: { ...process.env, REDIS_URL: s.redis.url }, timeout: 30_000 });
  if (input !== undefined) { child.child.stdin!.end(input); }
  return child;
};

describe('the first administrator', () => {
  const production = () => parseConfig({
    REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: s.dataDir, LOG_LEVEL: 'silent',
  });

  it('refuses a production start when only demo accounts exist, printing the command that creates one', async () => {
    const err = await startServer(production(), { log: createLogger('silent'), requireAdmin: true }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NoAdminError);
    expect((err as Error).message).toContain(`npm run users -- add admin --roles admin --scopes ${demoTree().cityId}`);
    expect((err as Error).message).toContain('--password-stdin');
  });

  it('npm run users adds one from stdin; then production starts, and demo accounts are locked out', async () => {
    const demoCookie = (await login(s, 'coordinator')).headers.get('set-cookie')!.split(';')[0]!;
    const added = await users(['add', 'chief', '--roles', 'admin', '--scopes', demoTree().cityId, '--name', '局长', '--password-stdin'], 'chief-password-1\n');
    expect(added.stdout).toContain('created chief');
    const listed = await users(['list']);
    expect(listed.stdout).toMatch(/^chief\t局长\tadmin\t/m);
    await expect(users(['add', 'x1', '--roles', 'wizard', '--scopes', 'nowhere', '--password-stdin'], 'whatever-pass-1')).rejects.toMatchObject({ code: 2 });

    const prod = await startServer(production(), { log: createLogger('silent'), requireAdmin: true });
    try {
      const at = { ...s, get url() { return prod.url; } } as Stack;
      expect((await login(at, 'chief', 'chief-password-1')).status).toBe(200);
      expect((await login(at, 'admin')).status).toBe(401); // a demo account outside demo mode
      expect((await clientFor(at, demoCookie).get('/me')).status).toBe(401); // its demo-mode session ended
    } finally {
      await prod.close();
    }
  });
});

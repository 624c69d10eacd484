// The authorization matrix (DESIGN §11): every role × every endpoint and the live socket, as one
// explicit table — 2xx where the role holds the permission, 403 `forbidden` (audited as denied)
// where it does not, 401 without a session. The table is written out, not computed from
// ROLE_PERMISSIONS, and then checked against it; every route of the app must appear in it.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { PermissionGuard } from '../../server/auth/permissions-middleware.js';
import { ROLES, type Role } from '../../shared/api.js';
import { can, type Permission } from '../../shared/permissions.js';
import { as, liveSocket, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { call, durableClient, ingestOk, reportAt } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

/** The demo account of each role (whole city in scope). */
const ACCOUNT: Record<Role, string> = { duty_officer: 'duty', coordinator: 'coordinator', leader: 'leader', admin: 'admin', auditor: 'auditor' };
const ALL = [...ROLES];
const READERS: Role[] = ['duty_officer', 'coordinator', 'leader', 'admin'];

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** the Express route, as the app declares it */
  route: string;
  /** null: any signed-in actor */
  permission: Permission | null;
  allow: readonly Role[];
  ok: 200 | 201 | 204;
  /** the concrete request for a role (distinct objects per role where a call changes something) */
  path?: (role: Role) => string;
  body?: (role: Role) => unknown;
}

const keyIds: Partial<Record<Role, string>> = {};
const at = (grid: number) => {
  const { lat, lon } = gridCenter(grid);
  return { lat, lon };
};
const ROWS: Row[] = [
  { method: 'GET', route: '/me', permission: null, allow: ALL, ok: 200 },
  { method: 'GET', route: '/jurisdictions', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/incidents', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/incidents/:id', permission: 'read', allow: READERS, ok: 200, path: () => '/incidents/MX-1' },
  // commands: coordinators only; each on its own incident (prepared in beforeAll)
  { method: 'POST', route: '/incidents', permission: 'incidents.create', allow: ['coordinator'], ok: 201, body: (role) => ({ incidentId: `MX-NEW-${role}`, category: 'theft', priority: 3 }) },
  { method: 'POST', route: '/incidents/:id/dispatch', permission: 'incidents.dispatch', allow: ['coordinator'], ok: 200, path: () => '/incidents/MX-D/dispatch', body: () => ({ unitIds: ['U-MX-D'], expectedVersion: 1 }) },
  { method: 'POST', route: '/incidents/:id/release', permission: 'incidents.dispatch', allow: ['coordinator'], ok: 200, path: () => '/incidents/MX-R/release', body: () => ({ unitIds: ['U-MX-R'], expectedVersion: 2 }) },
  { method: 'POST', route: '/incidents/:id/link', permission: 'incidents.link', allow: ['coordinator'], ok: 200, path: () => '/incidents/MX-L/link', body: () => ({ duplicateOf: 'MX-1', expectedVersion: 1 }) },
  { method: 'POST', route: '/incidents/:id/transition', permission: 'incidents.transition', allow: ['coordinator'], ok: 200, path: () => '/incidents/MX-T/transition', body: () => ({ to: 'cancelled', expectedVersion: 1 }) },
  { method: 'GET', route: '/incidents/:id/recommendations', permission: 'incidents.dispatch', allow: ['coordinator'], ok: 200, path: () => '/incidents/MX-1/recommendations' },
  { method: 'GET', route: '/incidents/:id/premise', permission: 'read', allow: READERS, ok: 200, path: () => '/incidents/MX-1/premise' },
  { method: 'GET', route: '/units', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/units/:id', permission: 'read', allow: READERS, ok: 200, path: () => '/units/U-MX' },
  { method: 'GET', route: '/units/:id/trail', permission: 'read', allow: READERS, ok: 200, path: () => '/units/U-MX/trail' },
  { method: 'GET', route: '/log', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/alerts', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/stats', permission: 'read', allow: READERS, ok: 200, path: () => '/stats?metric=governance' },
  { method: 'GET', route: '/gridworkers', permission: 'read', allow: READERS, ok: 200 },
  // the duty desk (issue 8): reads for every reader, handovers by duty officers and coordinators, the roster by admins
  { method: 'GET', route: '/duty', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/duty/roster', permission: 'read', allow: READERS, ok: 200 },
  { method: 'POST', route: '/duty/handover', permission: 'duty.handover', allow: ['duty_officer', 'coordinator'], ok: 201, body: (role) => ({ shift: 'day', to: `next-${role}`, notes: 'quiet' }) },
  { method: 'PUT', route: '/duty/roster', permission: 'settings.manage', allow: ['admin'], ok: 200, body: () => ({ scopes: { [demoTree().cityId]: { duty_officer: ['duty'], leader: ['leader'] } } }) },
  { method: 'GET', route: '/indicators', permission: 'read', allow: READERS, ok: 200, path: () => '/indicators?level=district' },
  // the leader view (issue 9): targets read by every reader and set by admins; the daily report for every reader (JSON and CSV)
  { method: 'GET', route: '/targets', permission: 'read', allow: READERS, ok: 200 },
  { method: 'PUT', route: '/targets', permission: 'settings.manage', allow: ['admin'], ok: 200, body: () => ({ coverage: 0.8 }) },
  { method: 'GET', route: '/reports/daily', permission: 'read', allow: READERS, ok: 200, path: (role) => `/reports/daily${role === 'leader' ? '?format=csv' : ''}` },
  // each acknowledging role on its own open alert (raised in beforeAll)
  { method: 'POST', route: '/alerts/:id/acknowledge', permission: 'alerts.acknowledge', allow: ['duty_officer', 'coordinator', 'leader'], ok: 200, path: (role) => `/alerts/AL-MX-${role}/acknowledge`, body: () => ({}) },
  // governance: reads for every reader; commands on cases prepared in beforeAll
  { method: 'GET', route: '/disputes', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/disputes/:id', permission: 'read', allow: READERS, ok: 200, path: () => '/disputes/DX-1' },
  { method: 'POST', route: '/disputes/:id/transition', permission: 'disputes.route', allow: ['coordinator'], ok: 200, path: () => '/disputes/DX-T/transition', body: () => ({ to: 'mediating', expectedVersion: 1 }) },
  { method: 'POST', route: '/disputes/:id/escalate', permission: 'disputes.route', allow: ['coordinator'], ok: 200, path: () => '/disputes/DX-E/escalate', body: () => ({ expectedVersion: 1, reason: 'matrix' }) },
  { method: 'GET', route: '/petitions', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/petitions/:id', permission: 'read', allow: READERS, ok: 200, path: () => '/petitions/PX-1' },
  { method: 'POST', route: '/petitions/:id/transition', permission: 'disputes.route', allow: ['coordinator'], ok: 200, path: () => '/petitions/PX-T/transition', body: () => ({ to: 'answered', expectedVersion: 1, outcome: 'answered' }) },
  { method: 'POST', route: '/petitions/:id/escalate', permission: 'disputes.route', allow: ['coordinator'], ok: 200, path: () => '/petitions/PX-E/escalate', body: () => ({ expectedVersion: 1, reason: 'matrix' }) },
  { method: 'GET', route: '/supervisions', permission: 'read', allow: READERS, ok: 200 },
  { method: 'GET', route: '/supervisions/:id', permission: 'read', allow: READERS, ok: 200, path: () => '/supervisions/SX-1' },
  {
    method: 'POST', route: '/supervisions', permission: 'supervision.issue', allow: ['leader'], ok: 201,
    body: () => ({ caseRef: 'DX-1', deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(), instruction: 'settle it' }),
  },
  // each answering role on its own order (issued in beforeAll)
  { method: 'POST', route: '/supervisions/:id/answer', permission: 'supervision.answer', allow: ['duty_officer', 'coordinator'], ok: 200, path: (role) => `/supervisions/SX-A-${role}/answer`, body: () => ({ expectedVersion: 1, answer: 'done' }) },
  { method: 'GET', route: '/metrics', permission: 'settings.manage', allow: ['admin'], ok: 200 },
  { method: 'GET', route: '/audit', permission: 'audit.read', allow: ['admin', 'auditor'], ok: 200 },
  { method: 'GET', route: '/audit/verify', permission: 'audit.read', allow: ['admin', 'auditor'], ok: 200 },
  { method: 'GET', route: '/admin/users', permission: 'users.manage', allow: ['admin'], ok: 200 },
  {
    method: 'POST', route: '/admin/users', permission: 'users.manage', allow: ['admin'], ok: 201,
    body: (role) => ({ username: `mx-${role}`, displayName: role, roles: ['duty_officer'], scopes: [demoTree().cityId], password: 'matrix-password-1' }),
  },
  { method: 'PATCH', route: '/admin/users/:username', permission: 'users.manage', allow: ['admin'], ok: 200, path: () => '/admin/users/mx-target', body: (role) => ({ displayName: `by ${role}` }) },
  { method: 'POST', route: '/admin/users/:username/password', permission: 'users.manage', allow: ['admin'], ok: 204, path: () => '/admin/users/mx-target/password', body: () => ({ password: 'another-password-2' }) },
  { method: 'POST', route: '/admin/users/:username/logout', permission: 'users.manage', allow: ['admin'], ok: 204, path: () => '/admin/users/mx-target/logout' },
  { method: 'POST', route: '/admin/users/:username/unlock', permission: 'users.manage', allow: ['admin'], ok: 204, path: () => '/admin/users/mx-target/unlock' },
  { method: 'GET', route: '/admin/keys', permission: 'keys.manage', allow: ['admin'], ok: 200 },
  { method: 'POST', route: '/admin/keys', permission: 'keys.manage', allow: ['admin'], ok: 201, body: (role) => ({ kind: 'ingest', name: `mx ${role}`, types: ['*'], sources: ['mx/*'] }) },
  { method: 'POST', route: '/admin/keys/:id/rotate', permission: 'keys.manage', allow: ['admin'], ok: 200, path: (role) => `/admin/keys/${keyIds[role]}/rotate` },
  { method: 'DELETE', route: '/admin/keys/:id', permission: 'keys.manage', allow: ['admin'], ok: 204, path: (role) => `/admin/keys/${keyIds[role]}` },
];
/** Routes that need no session at all. */
const PUBLIC = ['GET /health', 'GET /openapi.json', 'POST /events', 'POST /auth/login', 'POST /auth/logout'];

let s: Stack;
let r: Redis;
const clients = {} as Record<Role, Client>;
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  for (const role of ROLES) clients[role] = await as(s, ACCOUNT[role]);
  const home = demoTree().idsAt('grid')[5];
  await ingestOk(s, [
    reportAt('MX-1', 10), ce('unit.registered', { unitId: 'U-MX', homeGrid: home }),
    ...['MX-D', 'MX-R', 'MX-L', 'MX-T'].map((id, i) => reportAt(id, 11 + i)),
    ce('unit.registered', { unitId: 'U-MX-D', homeGrid: home }), ce('unit.registered', { unitId: 'U-MX-R', homeGrid: home }),
    ...ROLES.map((role, i) => ce('alert.raised', { alertId: `AL-MX-${role}`, kind: 'spike', severity: 'warning', scope: demoTree().idsAt('grid')[i]! })),
    ...['DX-1', 'DX-T', 'DX-E'].map((disputeId, i) => ce('dispute.registered', { disputeId, kind: 'neighbour', location: at(20 + i) })),
    ...['PX-1', 'PX-T', 'PX-E'].map((petitionId, i) => ce('petition.filed', { petitionId, petitioner: `pk-${i}`, location: at(30 + i) })),
    ce('supervision.issued', { supervisionId: 'SX-1', caseRef: 'DX-1' }),
    ...ROLES.map((role) => ce('supervision.issued', { supervisionId: `SX-A-${role}`, caseRef: 'DX-1' })),
  ]);
  expect((await clients.coordinator.post('/incidents/MX-R/dispatch', { unitIds: ['U-MX-R'], expectedVersion: 1 })).status).toBe(200);
  const admin = clients.admin;
  expect((await admin.post('/admin/users', { username: 'mx-target', displayName: 't', roles: ['leader'], scopes: [demoTree().cityId], password: 'matrix-password-0' })).status).toBe(201);
  for (const role of ROLES) {
    const k = await admin.post('/admin/keys', { kind: 'ingest', name: `for ${role}`, types: ['*'], sources: ['*'] });
    keyIds[role] = k.body.key.id;
  }
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const lastAudit = async () => {
  const [entry] = (await r.xrevrange('audit', '+', '-', 'COUNT', 1)) as [string, string[]][];
  return JSON.parse(entry![1][entry![1].indexOf('r') + 1]!) as { action: string; result: string; user: string; details?: { permission?: string } };
};

describe('the table itself', () => {
  it('agrees with the permission table of shared/permissions.ts', () => {
    for (const row of ROWS) {
      const want = row.permission === null ? ALL : ALL.filter((role) => can([role], row.permission!));
      expect([...row.allow].sort(), `${row.method} ${row.route}`).toEqual(want.sort());
    }
  });

  it('covers every route of the app, each guarded by the permission it lists', () => {
    const app = createApp(s.server.deps) as any;
    const found: { key: string; permissions: Permission[] }[] = [];
    const walk = (stack: any[], inApi: boolean) => {
      for (const layer of stack) {
        if (layer.route && inApi) {
          const permissions = layer.route.stack.map((l: any) => (l.handle as PermissionGuard).permission).filter(Boolean);
          for (const m of Object.keys(layer.route.methods)) found.push({ key: `${m.toUpperCase()} ${layer.route.path}`, permissions });
        }
        if (layer.handle?.stack) walk(layer.handle.stack, true);
      }
    };
    walk(app.router.stack, false);
    const tabled = new Map(ROWS.map((row) => [`${row.method} ${row.route}`, row]));
    for (const { key, permissions } of found) {
      if (PUBLIC.includes(key)) continue;
      const row = tabled.get(key);
      expect(row, `${key} is missing from the matrix`).toBeDefined();
      // GET /audit* are guarded where app.ts mounts them (api.use('/audit', …)); the matrix checks them by behaviour
      if (row!.permission !== null && !key.startsWith('GET /audit')) expect(permissions, key).toEqual([row!.permission]);
    }
    // and no row of the table names a route the app does not have
    for (const key of [...PUBLIC, ...tabled.keys()]) expect(found.some((f) => f.key === key), `${key} is not a route`).toBe(true);
    expect(found.length).toBe(ROWS.length + PUBLIC.length);
  });
});

describe('every role × every endpoint', () => {
  for (const row of ROWS) {
    it(`${row.method} ${row.route}`, async () => {
      for (const role of ROLES) {
        const path = row.path?.(role) ?? row.route;
        const res = await clients[role].send(row.method, path, row.body?.(role));
        const allowed = row.allow.includes(role);
        expect(res.status, `${role}: ${res.text.slice(0, 200)}`).toBe(allowed ? row.ok : 403);
        if (allowed) continue;
        expect(res.body.error.code).toBe('forbidden');
        expect(await lastAudit(), role).toMatchObject({ action: 'access', result: 'denied', user: ACCOUNT[role], details: { permission: row.permission } });
      }
    });
  }

  // GET /stats is one route; its leader metrics (issue 9) need `read` like the others
  it('GET /stats?metric=leader and metric=rankings', async () => {
    for (const path of ['/stats?metric=leader', '/stats?metric=rankings&level=grid&by=overdue']) {
      for (const role of ROLES) {
        const res = await clients[role].get(path);
        expect(res.status, `${role} ${path}: ${res.text.slice(0, 200)}`).toBe(READERS.includes(role) ? 200 : 403);
      }
      expect((await call(s, path)).status).toBe(401);
    }
  });

  it('answers 401 without a session (and with a forged one) on every endpoint', async () => {
    for (const row of ROWS) {
      const path = row.path?.('admin') ?? row.route;
      for (const cookie of [undefined, 'pingan_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
        const res = await call(s, path, { method: row.method, cookie, body: row.body?.('admin'), headers: { origin: s.url } });
        expect(res.status, `${row.method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });

  it('checks the permission before validating: 403 for a bad body without it, 400 with it', async () => {
    expect((await clients.coordinator.post('/admin/users', { username: '' })).status).toBe(403);
    expect((await clients.admin.post('/admin/users', { username: '' })).status).toBe(400);
    expect((await clients.auditor.get('/incidents?limit=abc')).status).toBe(403);
    expect((await clients.duty_officer.get('/incidents?limit=abc')).status).toBe(400);
    expect((await clients.leader.patch('/admin/users/nobody-at-all', { displayName: 'x' })).status).toBe(403);
    expect((await clients.admin.patch('/admin/users/nobody-at-all', { displayName: 'x' })).status).toBe(404);
  });
});

describe('the live socket', () => {
  it('says hello to every role holding read, and refuses auditors with connect_error forbidden', async () => {
    for (const role of ROLES) {
      const live = await liveSocket(s.url, { cookie: clients[role].cookie });
      live.socket.close();
      if (READERS.includes(role)) {
        expect(live.errors, role).toEqual([]);
        expect(live.hello.user.username).toBe(ACCOUNT[role]);
      } else {
        expect(live.hello, role).toBeNull();
        expect(live.errors.map((e) => e.code)).toEqual(['forbidden']);
      }
    }
  });
});

describe('machine tokens', () => {
  it('act with their role on reads only; users, keys and the audit trail need a person', async () => {
    const issue = async (role: Role) => (await clients.admin.post('/admin/keys', { kind: 'token', name: `mx-${role}`, role, scopes: [demoTree().cityId] })).body.secret as string;
    const bearer = (token: string, path: string, method = 'GET') => call(s, path, { method, headers: { authorization: `Bearer ${token}` } });
    const admin = await issue('admin');
    expect((await bearer(admin, '/metrics')).status).toBe(200);
    expect((await bearer(admin, '/incidents')).status).toBe(200);
    for (const path of ['/admin/users', '/admin/keys', '/audit']) expect((await bearer(admin, path)).status, path).toBe(403);
    expect((await bearer(admin, '/admin/users/mx-target/logout', 'POST')).status).toBe(401); // tokens do not write
    const auditor = await issue('auditor');
    expect((await bearer(auditor, '/incidents')).status).toBe(403);
    expect((await bearer(auditor, '/audit')).status).toBe(403);
  });
});

// Small rules of access control: ingest grants, the CSRF origin check, kiosk roles, token
// permissions, and `npm run users` argument parsing.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { digestHex, isSecretShaped, tokenUser } from '../../server/auth/credentials.js';
import { claimedOrigin, isWrite, originAllowedFor } from '../../server/auth/csrf.js';
import { OPEN_GRANT, scopedGrant, sourceAllowed, typeAllowed } from '../../server/auth/grants.js';
import { allowed } from '../../server/auth/permissions-middleware.js';
import { mayUseKiosk, sessionRoom } from '../../server/auth/sessions.js';
import { parseArgs, UsageError } from '../../server/auth/users-cli-args.js';
import { deliveryRoom } from '../../server/live/rooms.js';

describe('ingest grants', () => {
  it('`*` covers every type but incident.dispatched, which must be named', () => {
    expect(typeAllowed(['*'], 'incident.reported')).toBe(true);
    expect(typeAllowed(['*'], 'incident.dispatched')).toBe(false);
    expect(typeAllowed(['incident.dispatched'], 'incident.dispatched')).toBe(true);
    expect(typeAllowed(['incident.reported'], 'incident.updated')).toBe(false);
    expect(OPEN_GRANT.allows('incident.dispatched', 'x')).toBe(false);
    expect(OPEN_GRANT.allows('unit.position', 'anything')).toBe(true);
  });

  it('sources: exact, a prefix ending in *, or *', () => {
    expect(sourceAllowed(['sim/*'], 'sim/110')).toBe(true);
    expect(sourceAllowed(['sim/*'], 'simulator')).toBe(false);
    expect(sourceAllowed(['110/linjiang'], '110/linjiang')).toBe(true);
    expect(sourceAllowed(['110/linjiang'], '110/linjiang/2')).toBe(false);
    expect(sourceAllowed(['*'], 'x')).toBe(true);
    expect(sourceAllowed([], 'x')).toBe(false);
    const g = scopedGrant({ types: ['incident.reported'], sources: ['gps/*'] });
    expect([g.allows('incident.reported', 'gps/1'), g.allows('incident.reported', 'sim/1'), g.allows('unit.position', 'gps/1')]).toEqual([true, false, false]);
  });
});

describe('CSRF origin check', () => {
  const req = (method: string, headers: Record<string, string>, protocol = 'http') =>
    ({ method, headers, protocol, get: (h: string) => headers[h.toLowerCase()] }) as unknown as Request;
  const own = { host: 'grid.example:8080' };

  it('treats GET, HEAD and OPTIONS as reads', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map((m) => isWrite(req(m, {})))).toEqual([false, false, false]);
    expect(['POST', 'PATCH', 'DELETE', 'PUT'].map((m) => isWrite(req(m, {})))).toEqual([true, true, true, true]);
  });

  it('accepts our own origin (either scheme) and allowed ones; refuses missing, null and foreign', () => {
    const allowedOrigins = ['https://console.example'];
    const ok = (h: Record<string, string>, p?: string) => originAllowedFor(req('POST', { ...own, ...h }, p), allowedOrigins);
    expect(ok({ origin: 'http://grid.example:8080' })).toBe(true);
    expect(ok({ origin: 'https://grid.example:8080' })).toBe(true);
    expect(ok({ origin: 'https://console.example' })).toBe(true);
    expect(ok({ referer: 'http://grid.example:8080/admin?x=1' })).toBe(true);
    expect(ok({})).toBe(false);
    expect(ok({ origin: 'null' })).toBe(false);
    expect(ok({ origin: 'http://grid.example:8081' })).toBe(false);
    expect(ok({ origin: 'http://grid.example:8080.evil.example' })).toBe(false);
    expect(ok({ referer: 'not a url' })).toBe(false);
    expect(ok({ origin: 'https://evil.example', referer: 'http://grid.example:8080/' })).toBe(false); // Origin wins
    expect(claimedOrigin(req('POST', { referer: 'https://a.example/b' }))).toBe('https://a.example');
  });
});

describe('roles beyond the table', () => {
  it('kiosk sessions only when every role is duty_officer or leader', () => {
    expect(mayUseKiosk(['duty_officer'])).toBe(true);
    expect(mayUseKiosk(['leader', 'duty_officer'])).toBe(true);
    expect(mayUseKiosk(['duty_officer', 'coordinator'])).toBe(false);
    expect(mayUseKiosk(['admin'])).toBe(false);
    expect(mayUseKiosk([])).toBe(false);
  });

  it('machine tokens never manage users, keys or the audit trail, whatever their role', () => {
    const admin = { roles: ['admin' as const] };
    expect(allowed(admin, 'session', 'users.manage')).toBe(true);
    expect(allowed(admin, 'token', 'users.manage')).toBe(false);
    expect(allowed(admin, 'token', 'keys.manage')).toBe(false);
    expect(allowed(admin, 'token', 'audit.read')).toBe(false);
    expect(allowed(admin, 'token', 'settings.manage')).toBe(true);
    expect(allowed({ roles: ['auditor'] }, 'session', 'read')).toBe(false);
  });

  it('delivery rooms follow reporter.read: coordinators and admins see it, others masked', () => {
    expect(deliveryRoom({ roles: ['coordinator'], scopes: ['b', 'a'] })).toBe('d:pii:a,b');
    expect(deliveryRoom({ roles: ['admin'], scopes: ['a'] })).toBe('d:pii:a');
    expect(deliveryRoom({ roles: ['leader', 'duty_officer'], scopes: ['a'] })).toBe('d:masked:a');
  });

  it('a token acts as a synthetic user; secrets are recognisable and only their digest is kept', () => {
    expect(tokenUser({ id: 'k1', name: 'wall', role: 'leader', scopes: ['990102'] })).toEqual({ id: 'token:k1', username: 'wall', displayName: 'wall', roles: ['leader'], scopes: ['990102'] });
    expect(isSecretShaped(`pgk_${'a'.repeat(43)}`)).toBe(true);
    expect(isSecretShaped(`pgx_${'a'.repeat(43)}`)).toBe(false);
    expect(isSecretShaped('pgk_short')).toBe(false);
    expect(digestHex('x')).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionRoom('A'.repeat(43))).not.toContain('A'.repeat(10)); // a session id never crosses instances
  });
});

describe('npm run users arguments', () => {
  it('parses every command', () => {
    expect(parseArgs(['add', 'chief', '--roles', 'admin,leader', '--scopes', '990100', '--name', '局长', '--password-stdin'])).toEqual({
      command: 'add', username: 'chief', roles: ['admin', 'leader'], scopes: ['990100'], name: '局长', passwordStdin: true,
    });
    expect(parseArgs(['list']).command).toBe('list');
    expect(parseArgs(['set-scopes', 'duty', '990102,990103']).scopes).toEqual(['990102', '990103']);
    expect(parseArgs(['set-roles', 'duty', '--roles', 'leader']).roles).toEqual(['leader']);
    for (const c of ['disable', 'enable', 'unlock', 'set-password']) expect(parseArgs([c, 'u1']).command).toBe(c);
  });

  it('refuses what it cannot do, saying why', () => {
    const why = (argv: string[]) => {
      try {
        parseArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('expected a UsageError');
    };
    expect(why([])).toBe('');
    expect(why(['remove', 'x'])).toBe('unknown command remove');
    expect(why(['add', 'x', '--roles', 'admin'])).toBe('add needs --roles and --scopes');
    expect(why(['disable'])).toBe('disable needs a username');
    expect(why(['add', 'x', '--roles'])).toBe('--roles needs a value');
    expect(why(['list', '--force'])).toBe('unknown option --force');
    expect(why(['unlock', 'a', 'b'])).toBe('unexpected argument b');
  });
});

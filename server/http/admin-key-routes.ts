import { Router, type Request } from 'express';
import { z } from 'zod';
import { createCredentialSchema } from '../../shared/api.js';
import { EVENT_TYPES } from '../../shared/events.js';
import type { FieldError } from '../../shared/validation.js';
import { newCredentialId, type CredentialStore, type StoredCredential } from '../auth/credentials.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import type { JurisdictionTree } from '../geo/types.js';
import type { LiveControl } from '../live/control.js';
import { act, check, fail, scopeErrors } from './admin-kit.js';
import { ApiError, notFound } from './errors.js';

export interface AdminKeyDeps {
  credentials: CredentialStore;
  tree: JurisdictionTree;
  control: LiveControl;
}

const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a key id') });
const target = (req: Request) => `key:${String(req.params.id ?? '').slice(0, 64)}`;
const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
/** exact (`110/linjiang`), a prefix ending in `*` (`sim/*`), or `*` */
const SOURCE_RE = /^(\*|[^*\s]+\*?)$/;

/** Types must exist (a typo would silently forbid everything) and sources must be patterns we understand. */
function grantErrors(types: readonly string[], sources: readonly string[]): FieldError[] {
  return [
    ...types.flatMap((t, i) => (t === '*' || KNOWN_TYPES.has(t) ? [] : [{ path: `types.${i}`, code: 'unknown_type', message: `types.${i}: no event type "${t}"` }])),
    ...sources.flatMap((s, i) => (SOURCE_RE.test(s) ? [] : [{ path: `sources.${i}`, code: 'invalid_pattern', message: `sources.${i}: exact, a prefix ending in *, or *` }])),
  ];
}

/** /admin/keys: ingest keys and machine tokens (permission keys.manage). Secrets are answered once. */
export function adminKeyRoutes(d: AdminKeyDeps): Router {
  const r = Router();
  const guard = requirePermission('keys.manage');
  const { credentials } = d;

  async function existing(req: Request): Promise<StoredCredential> {
    const { id } = check(params, req.params, 'params');
    const c = await credentials.get(id);
    if (!c) throw notFound(`key ${id}`);
    return c;
  }

  /** A machine token's sockets go at once when its secret changes or it is revoked. */
  const cut = (c: StoredCredential) => (c.kind === 'token' ? d.control.disconnectUser(`token:${c.id}`) : Promise.resolve());

  r.get('/admin/keys', guard, async (_req, res) => {
    res.json({ items: await credentials.list() });
  });

  r.post('/admin/keys', guard, act('keys.create', () => null, async (req) => {
    const body = check(createCredentialSchema, req.body, '');
    fail(body.kind === 'ingest' ? grantErrors(body.types, body.sources) : scopeErrors(d.tree, body.scopes));
    const id = newCredentialId();
    return {
      object: `key:${id}`,
      details: body,
      run: async () => ({ status: 201, body: await credentials.create(body, id) }),
    };
  }));

  r.post('/admin/keys/:id/rotate', guard, act('keys.rotate', target, async (req) => {
    const c = await existing(req);
    if (c.revoked) throw new ApiError(409, 'revoked', 'a revoked key cannot be rotated; issue a new one');
    return {
      details: { kind: c.kind, name: c.name },
      async run() {
        const issued = await credentials.rotate(c);
        await cut(c);
        return { status: 200, body: issued };
      },
    };
  }));

  r.delete('/admin/keys/:id', guard, act('keys.revoke', target, async (req) => {
    const c = await existing(req);
    return {
      details: { kind: c.kind, name: c.name, alreadyRevoked: c.revoked },
      async run() {
        // revoking twice is no error: the state asked for holds
        if (!c.revoked) await credentials.revoke(c);
        await cut(c);
        return { status: 204 };
      },
    };
  }));

  return r;
}

// OpenAPI paths of the admin API (/admin/users, /admin/keys), from the schemas that validate it.
import {
  adminUserSchema, createCredentialSchema, createUserSchema, credentialSchema, issuedCredentialSchema, setPasswordSchema, updateUserSchema,
} from '../../shared/api.js';
import { authErrors, body, error, jsonBody, schema, type Json } from './openapi-kit.js';

const param = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', maxLength: 64 } });
const list = (item: string) => ({ description: 'OK', content: { 'application/json': { schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } } } } } } });
const one = (item: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { type: 'object', required: ['user'], properties: { user: { $ref: `#/components/schemas/${item}` } } } } } });
const done = { 204: { description: 'Done' } };
const bad = { 400: error('Invalid request (details.errors names each field)') };
const missing = { 404: error('No such user or key') };

export const adminSchemas = (): Json => ({
  AdminUser: schema(adminUserSchema), CreateUser: schema(createUserSchema), UpdateUser: schema(updateUserSchema), SetPassword: schema(setPasswordSchema),
  Credential: schema(credentialSchema), CreateCredential: schema(createCredentialSchema), IssuedCredential: schema(issuedCredentialSchema),
});

const users = 'users.manage';
const keys = 'keys.manage';
const needs = (p: string, summary: string) => ({ summary, description: `Permission \`${p}\`; audited.` });

export const adminPaths = (): Json => ({
  '/admin/users': {
    get: { ...needs(users, 'Every account, with disabled and locked'), responses: { 200: list('AdminUser'), ...authErrors } },
    post: { ...needs(users, 'Create an account'), requestBody: jsonBody('CreateUser'), responses: { 201: one('AdminUser', 'Created'), ...bad, 409: error('The username exists'), ...authErrors } },
  },
  '/admin/users/{username}': {
    patch: {
      ...needs(users, 'Change display name, roles, scopes or disabled; a change of roles or scopes reconnects the user\'s sockets, disabling ends their sessions'),
      parameters: [param('username')], requestBody: jsonBody('UpdateUser'),
      responses: { 200: one('AdminUser'), ...bad, ...missing, 409: error('It would leave no enabled administrator (last_admin)'), ...authErrors },
    },
  },
  '/admin/users/{username}/password': {
    post: { ...needs(users, 'Set a password (ends the user\'s sessions)'), parameters: [param('username')], requestBody: jsonBody('SetPassword'), responses: { ...done, ...bad, ...missing, ...authErrors } },
  },
  '/admin/users/{username}/logout': {
    post: { ...needs(users, 'Force logout: every session ends, every socket on every instance disconnects'), parameters: [param('username')], responses: { ...done, ...missing, ...authErrors } },
  },
  '/admin/users/{username}/unlock': {
    post: { ...needs(users, 'Lift the lock after too many failed logins'), parameters: [param('username')], responses: { ...done, ...missing, ...authErrors } },
  },
  '/admin/keys': {
    get: { ...needs(keys, 'Ingest keys and machine tokens, revoked ones included, never a secret'), responses: { 200: list('Credential'), ...authErrors } },
    post: { ...needs(keys, 'Issue an ingest key or machine token; the secret is answered once'), requestBody: jsonBody('CreateCredential'), responses: { 201: body('IssuedCredential', 'Created'), ...bad, ...authErrors } },
  },
  '/admin/keys/{id}/rotate': {
    post: { ...needs(keys, 'A new secret; the old one stops working (other instances within 5 s)'), parameters: [param('id')], responses: { 200: body('IssuedCredential'), ...missing, 409: error('The key is revoked'), ...authErrors } },
  },
  '/admin/keys/{id}': {
    delete: { ...needs(keys, 'Revoke (other instances within 5 s); a token\'s sockets disconnect'), parameters: [param('id')], responses: { ...done, ...missing, ...authErrors } },
  },
});

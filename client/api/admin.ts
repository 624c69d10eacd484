// The admin and audit API (/api/v1/admin, /api/v1/audit). Cookie-authenticated writes carry the
// browser's Origin header, which the server checks (CSRF defence).
import { api } from './http.js';
import type { AdminUser, AuditPage, AuditVerification, CreateCredential, CreateUser, Credential, IssuedCredential, UpdateUser } from './types.js';

const u = (username: string) => `/admin/users/${encodeURIComponent(username)}`;
const k = (id: string) => `/admin/keys/${encodeURIComponent(id)}`;
const post = (body?: unknown): RequestInit => ({ method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

export const adminApi = {
  listUsers: async () => (await api<{ items: AdminUser[] }>('/admin/users')).items,
  createUser: async (body: CreateUser) => (await api<{ user: AdminUser }>('/admin/users', post(body))).user,
  updateUser: async (username: string, body: UpdateUser) =>
    (await api<{ user: AdminUser }>(u(username), { method: 'PATCH', body: JSON.stringify(body) })).user,
  setPassword: (username: string, password: string) => api<void>(`${u(username)}/password`, post({ password })),
  forceLogout: (username: string) => api<void>(`${u(username)}/logout`, post()),
  unlock: (username: string) => api<void>(`${u(username)}/unlock`, post()),

  listKeys: async () => (await api<{ items: Credential[] }>('/admin/keys')).items,
  createKey: (body: CreateCredential) => api<IssuedCredential>('/admin/keys', post(body)),
  rotateKey: (id: string) => api<IssuedCredential>(`${k(id)}/rotate`, post()),
  revokeKey: (id: string) => api<void>(k(id), { method: 'DELETE' }),

  auditPage: (limit: number, cursor: string | null) =>
    api<AuditPage>(`/audit?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`),
  verifyAudit: () => api<AuditVerification>('/audit/verify'),
};

// Dispatch-console HTTP calls (DESIGN §4): incident commands with `expectedVersion` and an
// Idempotency-Key per user action, recommendations, details and alerts. Types come from the
// shared zod schemas (type-only imports keep zod out of the bundle).
import type { z } from 'zod';
import type {
  AcknowledgeAlert, alertCommandResultSchema, alertListSchema, CreateIncident, incidentCommandResultSchema, LinkCommand,
  Recommendations, TransitionCommand, UnitsCommand,
} from '../../shared/api.js';
import type { IncidentStatus } from '../../shared/constants.js';
import { api } from './http.js';
import type { IncidentDetail } from './types.js';

export type CommandResult = z.infer<typeof incidentCommandResultSchema>;
export type AlertList = z.infer<typeof alertListSchema>;
export type AlertCommandResult = z.infer<typeof alertCommandResultSchema>;
export type { Recommendations };

/** A random v4 uuid; `crypto.randomUUID` exists only in secure contexts (a LAN address over http is not one). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const enc = encodeURIComponent;

/** POST with a JSON body and, for commands, the action's Idempotency-Key (a retry of the same action reuses it). */
function post<T>(path: string, body: unknown, key?: string): Promise<T> {
  return api<T>(path, { method: 'POST', body: JSON.stringify(body), headers: key ? { 'idempotency-key': key } : {} });
}

export const getIncident = (id: string) => api<IncidentDetail>(`/incidents/${enc(id)}`);
export const getRecommendations = (id: string, limit = 10) => api<Recommendations>(`/incidents/${enc(id)}/recommendations?limit=${limit}`);

export const createIncident = (body: Omit<CreateIncident, 'incidentId'>, key = newIdempotencyKey()) =>
  post<CommandResult>('/incidents', body, key);

export const dispatchUnits = (id: string, body: UnitsCommand, key = newIdempotencyKey()) =>
  post<CommandResult>(`/incidents/${enc(id)}/dispatch`, body, key);

export const releaseUnits = (id: string, body: UnitsCommand, key = newIdempotencyKey()) =>
  post<CommandResult>(`/incidents/${enc(id)}/release`, body, key);

export const linkIncident = (id: string, body: LinkCommand, key = newIdempotencyKey()) =>
  post<CommandResult>(`/incidents/${enc(id)}/link`, body, key);

export const transitionIncident = (id: string, body: TransitionCommand & { to: IncidentStatus }, key = newIdempotencyKey()) =>
  post<CommandResult>(`/incidents/${enc(id)}/transition`, body, key);

export const listAlerts = (states: string, limit: number) => api<AlertList>(`/alerts?state=${enc(states)}&limit=${limit}`);

export const acknowledgeAlert = (id: string, body: AcknowledgeAlert) => post<AlertCommandResult>(`/alerts/${enc(id)}/acknowledge`, body);

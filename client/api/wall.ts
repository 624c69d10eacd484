// The wall screen's HTTP calls (issue 8): GET /stats?metric=wall, GET /duty, POST /duty/handover.
// Types only from the shared contract (zod stays out of the bundle).
import type { Duty, Handover, HandoverCreate, WallStats } from '../../shared/wall.js';
import { newIdempotencyKey } from './commands.js';
import { api } from './http.js';

export type { Duty, Handover, HandoverCreate, WallStats };

const q = (scope: string | null | undefined) => (scope ? `&scope=${encodeURIComponent(scope)}` : '');

export const getWallStats = (scope?: string | null) => api<WallStats>(`/stats?metric=wall${q(scope)}`);

export const getDuty = (scope?: string | null) => api<Duty>(`/duty${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`);

/** Records a shift handover; one Idempotency-Key per user action (a retry of the same action reuses it). */
export const postHandover = (body: HandoverCreate, key = newIdempotencyKey()) =>
  api<Handover>('/duty/handover', { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key } });

// The permission table of DESIGN §11: explicit, not a hierarchy. Plain data (no zod), so the
// browser can hide what a role may not do; the server enforces it in one place.
import type { Role } from './api.js';

export const PERMISSIONS = [
  'read', // incidents, units, log, jurisdictions, indicators, alerts, cases in scope
  'reporter.read', // reporters' personal data unmasked
  'alerts.acknowledge',
  'duty.handover',
  'incidents.create', // manual entry
  'incidents.dispatch', // dispatch, release, reassign
  'incidents.link',
  'incidents.transition',
  'disputes.route',
  'supervision.issue',
  'supervision.answer', // answering a supervision order (督办) on a case in scope
  'users.manage',
  'keys.manage',
  'settings.manage',
  'audit.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const DUTY: Permission[] = ['read', 'alerts.acknowledge', 'duty.handover', 'supervision.answer'];

/** What each role may do. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  duty_officer: DUTY,
  coordinator: [...DUTY, 'reporter.read', 'incidents.create', 'incidents.dispatch', 'incidents.link', 'incidents.transition', 'disputes.route'],
  leader: ['read', 'alerts.acknowledge', 'supervision.issue'],
  admin: ['read', 'reporter.read', 'users.manage', 'keys.manage', 'settings.manage', 'audit.read'],
  auditor: ['audit.read'],
};

/** True when any of the roles grants the permission. */
export function can(roles: readonly Role[], p: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r]?.includes(p));
}

import type { PublicUser } from '../../shared/api.js';
import type { Incident } from '../../shared/objects.js';
import { can } from '../../shared/permissions.js';

/** True when a jurisdiction chain lies inside one of the user's scopes. */
export function inScope(user: Pick<PublicUser, 'scopes'>, chain: readonly string[]): boolean {
  return user.scopes.some((s) => chain.includes(s));
}

const maskName = (s: string) => (s.length <= 1 ? '*' : `${s[0]}${'*'.repeat(Math.min(s.length - 1, 3))}`);
const maskDigits = (s: string) => (s.length <= 7 ? '*'.repeat(s.length) : `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`);

/** The incident as this user may see it: reporter data masked for roles without the right. */
export function forViewer<T extends Pick<Incident, 'reporter'>>(user: Pick<PublicUser, 'roles'>, incident: T): T {
  if (!incident.reporter || can(user.roles, 'reporter.read')) return incident;
  const r = incident.reporter;
  return {
    ...incident,
    reporter: {
      name: r.name === undefined ? undefined : maskName(r.name),
      phone: r.phone === undefined ? undefined : maskDigits(r.phone),
      idNumber: r.idNumber === undefined ? undefined : maskDigits(r.idNumber),
    },
  };
}

/** A pseudonymous key shown to roles without `reporter.read`: its first character only. */
export const maskKey = (s: string) => (s.length <= 1 ? '*' : `${s[0]}***`);

/** Masks reporter data and petitioner keys inside a log entry's data for roles without the right. */
export function entryForViewer<T extends { type: string; data: Record<string, unknown> }>(user: Pick<PublicUser, 'roles'>, e: T): T {
  const rep = e.data.reporter as Incident['reporter'] | undefined;
  const petitioner = e.data.petitioner;
  if ((!rep && typeof petitioner !== 'string') || can(user.roles, 'reporter.read')) return e;
  const data = { ...e.data };
  if (rep) data.reporter = forViewer(user, { reporter: rep }).reporter;
  if (typeof petitioner === 'string') data.petitioner = maskKey(petitioner);
  return { ...e, data };
}

import type { PublicUser } from '../../shared/api.js';
import type { Entry } from '../../shared/objects.js';
import { can } from '../../shared/permissions.js';
import { entryForViewer } from '../auth/scope.js';

/** What a delivery room may see: its scope set and whether reporter data is shown. */
export interface RoomView {
  scopes: string[];
  pii: boolean;
}

const PREFIX = 'd:';

/** Each socket joins exactly one delivery room: (sorted scope set, visibility class). */
export function deliveryRoom(user: Pick<PublicUser, 'scopes' | 'roles'>): string {
  return `${PREFIX}${can(user.roles, 'reporter.read') ? 'pii' : 'masked'}:${[...new Set(user.scopes)].sort().join(',')}`;
}

export const isDeliveryRoom = (room: string) => room.startsWith(PREFIX);

/** The view a room key stands for. */
export function roomView(room: string): RoomView {
  const [cls, scopes] = room.slice(PREFIX.length).split(':', 2) as [string, string];
  return { pii: cls === 'pii', scopes: scopes ? scopes.split(',') : [] };
}

/** Entries a room may see, masked for its class, in the same order. */
export function visibleEntries(view: RoomView, entries: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const e of entries) {
    if (!view.scopes.some((s) => e.jurisdiction.includes(s))) continue;
    // a viewer without roles holds no reporter.read: the masked class
    out.push(view.pii ? e : entryForViewer({ roles: [] }, e));
  }
  return out;
}

/** True when any of `chains` lies in the room's scopes. */
export function sees(view: RoomView, ...chains: readonly (readonly string[])[]): boolean {
  return chains.some((c) => view.scopes.some((s) => c.includes(s)));
}

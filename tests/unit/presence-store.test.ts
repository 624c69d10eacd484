// The client's presence store (client/stores/presence.ts) and the server's dedupe of room users
// (server/live/presence.ts): one watched object, frames for other objects dropped, reactive viewers.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { computed } from 'vue';
import { usePresenceStore } from '../../client/stores/presence.js';
import { presenceRoom, presenceUsers, viewSchema } from '../../server/live/presence.js';

const A = { id: 'u-a', displayName: '调度员' };
const B = { id: 'u-b', displayName: '带班领导' };

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('usePresenceStore', () => {
  it('keeps the viewers of the watched object only', () => {
    const p = usePresenceStore();
    expect(p.watching).toBeNull();
    p.apply({ objectKind: 'incident', objectId: 'I-1', users: [A] });
    expect(p.viewersOf('incident', 'I-1')).toEqual([]); // not watched: dropped
    p.watch('incident', 'I-1');
    expect(p.watching).toEqual({ objectKind: 'incident', objectId: 'I-1' });
    p.apply({ objectKind: 'incident', objectId: 'I-1', users: [A, B] });
    expect(p.viewersOf('incident', 'I-1')).toEqual([A, B]);
    expect(p.viewersOf('unit', 'I-1')).toEqual([]);
    // a late frame for an object left behind does not come back
    p.watch('incident', 'I-2');
    expect(p.viewersOf('incident', 'I-1')).toEqual([]);
    p.apply({ objectKind: 'incident', objectId: 'I-1', users: [A, B] });
    expect(p.viewersOf('incident', 'I-1')).toEqual([]);
    p.apply({ objectKind: 'incident', objectId: 'I-2', users: [B] });
    expect(p.viewersOf('incident', 'I-2')).toEqual([B]);
  });

  it('watching the same object again keeps what is known; unwatch and reset forget', () => {
    const p = usePresenceStore();
    p.watch('unit', 'U-1');
    const before = p.watching;
    p.apply({ objectKind: 'unit', objectId: 'U-1', users: [A] });
    p.watch('unit', 'U-1');
    expect(p.watching).toBe(before); // no change: the live store sends nothing
    expect(p.viewersOf('unit', 'U-1')).toEqual([A]);
    p.unwatch();
    expect(p.watching).toBeNull();
    expect(p.viewersOf('unit', 'U-1')).toEqual([]);
    p.watch('alert', 'AL-1');
    p.apply({ objectKind: 'alert', objectId: 'AL-1', users: [A] });
    p.reset();
    expect(p.watching).toBeNull();
    expect(p.viewersOf('alert', 'AL-1')).toEqual([]);
  });

  it('viewersOf is reactive', () => {
    const p = usePresenceStore();
    p.watch('incident', 'I-9');
    const names = computed(() => p.viewersOf('incident', 'I-9').map((u) => u.displayName));
    expect(names.value).toEqual([]);
    p.apply({ objectKind: 'incident', objectId: 'I-9', users: [A] });
    expect(names.value).toEqual([A.displayName]);
    p.apply({ objectKind: 'incident', objectId: 'I-9', users: [A, B] });
    expect(names.value).toEqual([A.displayName, B.displayName]);
    p.unwatch();
    expect(names.value).toEqual([]);
  });

  it('ignores a frame without a users list', () => {
    const p = usePresenceStore();
    p.watch('incident', 'I-1');
    p.apply({ objectKind: 'incident', objectId: 'I-1', users: [A] });
    p.apply({ objectKind: 'incident', objectId: 'I-1' } as never);
    expect(p.viewersOf('incident', 'I-1')).toEqual([A]);
  });
});

describe('server presence helpers', () => {
  it('lists each user once, ordered by id, with id and display name only', () => {
    const full = { ...B, username: 'leader', roles: ['leader'], scopes: ['990100'] };
    expect(presenceUsers([full, A, undefined, { ...A, displayName: 'other tab' }, B])).toEqual([A, B]);
    expect(presenceUsers([])).toEqual([]);
  });

  it('accepts only the known kinds and ids of 1 to 128 characters', () => {
    expect(viewSchema.safeParse({ objectKind: 'incident', objectId: 'I-1' }).success).toBe(true);
    for (const kind of ['incident', 'dispute', 'petition', 'supervision', 'alert', 'unit']) {
      expect(viewSchema.safeParse({ objectKind: kind, objectId: 'x'.repeat(128) }).success).toBe(true);
    }
    for (const bad of [null, 1, 'incident', {}, { objectKind: 'user', objectId: 'u' }, { objectKind: 'incident', objectId: '' },
      { objectKind: 'incident', objectId: 'x'.repeat(129) }, { objectKind: 'incident', objectId: 3 }]) {
      expect(viewSchema.safeParse(bad).success).toBe(false);
    }
    expect(presenceRoom('incident', 'I-1')).toBe('presence:incident:I-1');
  });
});

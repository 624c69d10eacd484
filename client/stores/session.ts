import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PublicUser } from '../../shared/api.js';
import { can as roleCan, type Permission } from '../../shared/permissions.js';
import { api, HttpError, isTransient, sleep } from '../api/http.js';
import type { LoginRequest, LoginResponse } from '../api/types.js';

/** The signed-in user (GET /me), login and logout. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<PublicUser | null>(null);
  /** true until the first GET /me has answered */
  const checking = ref(true);
  let loaded: Promise<void> | null = null;

  /** Asks GET /me once; retries while the server is unreachable (a wall PC may boot before it). */
  function ensureLoaded(): Promise<void> {
    loaded ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          user.value = (await api<LoginResponse>('/me')).user;
          break;
        } catch (err) {
          if (!isTransient(err)) {
            user.value = null;
            break;
          }
          await sleep(Math.min(1000 * 2 ** attempt, 15_000));
        }
      }
      checking.value = false;
    })();
    return loaded;
  }

  /** `kiosk`: a wall-screen session (no idle timeout, a long absolute lifetime). */
  async function login(username: string, password: string, kiosk = false): Promise<void> {
    const body: LoginRequest = { username, password, ...(kiosk ? { kiosk: true } : {}) };
    const r = await api<LoginResponse>('/auth/login', { method: 'POST', body: JSON.stringify(body) });
    user.value = r.user;
    checking.value = false;
    loaded = Promise.resolve();
  }

  async function logout(): Promise<void> {
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch (err) {
      // the session is dropped locally either way; a 401 means it was already gone
      if (!(err instanceof HttpError)) console.warn('logout failed', err);
    } finally {
      user.value = null;
    }
  }

  /** The server no longer knows our session (401 on REST, `unauthorized` on the socket). */
  function expire(): void {
    user.value = null;
  }

  /**
   * Asks GET /me again (the live socket was refused: our roles may have changed). A 401 means the
   * session is gone; other failures leave what we know.
   */
  async function refresh(): Promise<void> {
    try {
      const me = (await api<LoginResponse>('/me')).user;
      if (user.value) user.value = me;
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) user.value = null;
    }
  }

  /** The server says who we are now (roles or scopes changed while signed in). */
  function replaceUser(next: PublicUser): void {
    if (user.value && user.value.id === next.id) user.value = next;
  }

  /** True when the signed-in user's roles grant `p` (the server enforces it; this only hides what would be refused). */
  const can = (p: Permission) => user.value !== null && roleCan(user.value.roles, p);

  return { user, checking, ensureLoaded, login, logout, expire, refresh, replaceUser, can };
});

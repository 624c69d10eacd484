import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PublicUser } from '../../shared/api.js';
import { api, HttpError, isTransient, sleep } from '../api/http.js';
import type { LoginResponse } from '../api/types.js';

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

  async function login(username: string, password: string): Promise<void> {
    const r = await api<LoginResponse>('/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
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

  return { user, checking, ensureLoaded, login, logout, expire };
});

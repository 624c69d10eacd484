import { defineStore } from 'pinia';
import { ref } from 'vue';
import { adminApi } from '../api/admin.js';
import type { AdminUser, CreateUser, UpdateUser } from '../api/types.js';

/** Accounts as admins manage them (/admin/users). The server is the truth: every change answers the new user. */
export const useUsersStore = defineStore('users', () => {
  const items = ref<AdminUser[]>([]);
  const loading = ref(false);
  const loaded = ref(false);

  function put(u: AdminUser): void {
    const i = items.value.findIndex((x) => x.username === u.username);
    if (i >= 0) items.value.splice(i, 1, u);
    else items.value = [...items.value, u].sort((a, b) => a.username.localeCompare(b.username));
  }

  const patchLocal = (username: string, patch: Partial<AdminUser>) => {
    const u = items.value.find((x) => x.username === username);
    if (u) put({ ...u, ...patch });
  };

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await adminApi.listUsers()).sort((a, b) => a.username.localeCompare(b.username));
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  async function create(body: CreateUser): Promise<AdminUser> {
    const u = await adminApi.createUser(body);
    put(u);
    return u;
  }

  async function update(username: string, body: UpdateUser): Promise<AdminUser> {
    const u = await adminApi.updateUser(username, body);
    put(u);
    return u;
  }

  const setPassword = (username: string, password: string) => adminApi.setPassword(username, password);
  const forceLogout = (username: string) => adminApi.forceLogout(username);

  async function unlock(username: string): Promise<void> {
    await adminApi.unlock(username);
    patchLocal(username, { locked: false });
  }

  return { items, loading, loaded, load, create, update, setPassword, forceLogout, unlock };
});

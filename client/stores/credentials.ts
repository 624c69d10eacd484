import { defineStore } from 'pinia';
import { ref } from 'vue';
import { adminApi } from '../api/admin.js';
import type { CreateCredential, Credential, IssuedCredential } from '../api/types.js';

/** Ingest keys and machine tokens (/admin/keys); secrets are never kept, only shown once by the page. */
export const useCredentialsStore = defineStore('credentials', () => {
  const items = ref<Credential[]>([]);
  const loading = ref(false);
  const loaded = ref(false);

  /** newest first; revoked ones last */
  const order = (a: Credential, b: Credential) => Number(a.revoked) - Number(b.revoked) || b.createdAt.localeCompare(a.createdAt);

  function put(k: Credential): void {
    const rest = items.value.filter((x) => x.id !== k.id);
    items.value = [...rest, k].sort(order);
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await adminApi.listKeys()).sort(order);
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  async function create(body: CreateCredential): Promise<IssuedCredential> {
    const issued = await adminApi.createKey(body);
    put(issued.key);
    return issued;
  }

  async function rotate(id: string): Promise<IssuedCredential> {
    const issued = await adminApi.rotateKey(id);
    put(issued.key);
    return issued;
  }

  async function revoke(id: string): Promise<void> {
    await adminApi.revokeKey(id);
    const k = items.value.find((x) => x.id === id);
    if (k) put({ ...k, revoked: true });
  }

  return { items, loading, loaded, load, create, rotate, revoke };
});

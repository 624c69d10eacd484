import { defineStore } from 'pinia';
import { ref } from 'vue';
import { adminApi } from '../api/admin.js';
import type { AuditRecord, AuditVerification } from '../api/types.js';

const PAGE = 100;

/** The audit trail (GET /audit), newest first, paged by cursor; and its hash-chain check. */
export const useAuditStore = defineStore('audit', () => {
  const items = ref<AuditRecord[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const verifying = ref(false);
  const verification = ref<(AuditVerification & { at: number }) | null>(null);
  let generation = 0;

  /** The newest page, replacing what is shown. */
  async function reload(): Promise<void> {
    const g = ++generation;
    loading.value = true;
    try {
      const page = await adminApi.auditPage(PAGE, null);
      if (g !== generation) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      loaded.value = true;
    } finally {
      if (g === generation) loading.value = false;
    }
  }

  /** The next (older) page after the last one shown. */
  async function loadMore(): Promise<void> {
    if (nextCursor.value === null || loading.value) return;
    const g = generation;
    loading.value = true;
    try {
      const page = await adminApi.auditPage(PAGE, nextCursor.value);
      if (g !== generation) return;
      // a record appended between pages never shows twice
      const seen = new Set(items.value.map((r) => r.id));
      items.value = [...items.value, ...page.items.filter((r) => !seen.has(r.id))];
      nextCursor.value = page.nextCursor;
    } finally {
      if (g === generation) loading.value = false;
    }
  }

  async function verify(): Promise<void> {
    verifying.value = true;
    try {
      verification.value = { ...(await adminApi.verifyAudit()), at: Date.now() };
    } finally {
      verifying.value = false;
    }
  }

  return { items, nextCursor, loading, loaded, verifying, verification, reload, loadMore, verify };
});

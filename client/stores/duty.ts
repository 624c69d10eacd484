import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { getDuty, postHandover, type Duty, type Handover, type HandoverCreate } from '../api/wall.js';

/** The duty desk changes at shift change and on handovers: re-read this often. */
const POLL_MS = 60_000;
const RETRY_MS = 5000;

/** Who is on duty now (officer, leader on duty), the shift and the latest handovers (GET /duty). */
export const useDutyStore = defineStore('duty', () => {
  const duty = shallowRef<Duty | null>(null);
  const loadedAt = ref<number | null>(null);
  const failing = ref(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let users = 0;

  async function load(): Promise<void> {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    try {
      duty.value = Object.freeze(await getDuty());
      loadedAt.value = Date.now();
      failing.value = false;
      if (users > 0) timer = setTimeout(() => void load(), POLL_MS);
    } catch {
      failing.value = true;
      if (users > 0) timer = setTimeout(() => void load(), RETRY_MS);
    }
  }

  /** Records a handover and reads the desk again (the incoming officer sees it). */
  async function handover(body: HandoverCreate, key?: string): Promise<Handover> {
    const h = await postHandover(body, key);
    await load();
    return h;
  }

  function acquire(): () => void {
    users++;
    if (users === 1) void load();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      users--;
      if (users === 0 && timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
    };
  }

  return { duty, loadedAt, failing, load, handover, acquire };
});

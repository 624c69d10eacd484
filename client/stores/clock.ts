import { defineStore } from 'pinia';
import { ref } from 'vue';

/**
 * One ticking clock for the whole app (1 Hz), corrected by the server's offset from `hello`,
 * so the top bar, fix ages and countdowns agree with the server, not the PC's clock.
 */
export const useClockStore = defineStore('clock', () => {
  const offsetMs = ref(0);
  const now = ref(Date.now());

  const tick = () => {
    now.value = Date.now() + offsetMs.value;
  };
  setInterval(tick, 1000);

  /** Records the server's time from `hello` (the message's transit time is negligible here). */
  function setServerTime(iso: string): void {
    const t = Date.parse(iso);
    if (Number.isFinite(t)) offsetMs.value = t - Date.now();
    tick();
  }

  /** The server-corrected time right now, between ticks. */
  const serverNow = () => Date.now() + offsetMs.value;

  /** A situation replay's instant (issue 9): what the map's time-in-state is measured against; null live. */
  const replayAt = ref<number | null>(null);
  /** The instant the picture on screen shows: the replay's, or the server's now. */
  const sceneNow = () => replayAt.value ?? serverNow();

  return { now, offsetMs, setServerTime, serverNow, replayAt, sceneNow };
});

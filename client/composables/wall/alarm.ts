import { ref } from 'vue';

/**
 * The audible alarm (DESIGN §9): Web Audio oscillator beeps, no audio file, nothing fetched.
 * Browsers keep an AudioContext suspended until a user gesture: `enabled` stays false until
 * `enable()` runs from a click (or the wall PC's Chromium allows autoplay).
 */
export function useAlarm() {
  const enabled = ref(false);
  let ctx: AudioContext | null = null;

  function context(): AudioContext | null {
    if (ctx) return ctx;
    const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctor) return null;
    try {
      ctx = new Ctor();
      ctx.onstatechange = () => {
        enabled.value = ctx?.state === 'running';
      };
      enabled.value = ctx.state === 'running';
    } catch {
      ctx = null;
    }
    return ctx;
  }

  /** From a user gesture: resumes the context (one-time unmute). */
  async function enable(): Promise<void> {
    const c = context();
    if (!c) return;
    try {
      await c.resume();
    } catch {
      /* still blocked */
    }
    enabled.value = c.state === 'running';
    if (enabled.value) beep(1, 0.12);
  }

  /** `count` two-tone beeps; silent while the context is not running. */
  function beep(count = 3, gain = 0.25): void {
    const c = context();
    if (!c || c.state !== 'running') return;
    const t0 = c.currentTime + 0.02;
    for (let i = 0; i < count; i++) {
      for (const [k, freq] of [[0, 988], [1, 740]] as const) {
        const at = t0 + i * 0.7 + k * 0.25;
        const osc = c.createOscillator();
        const g = c.createGain();
        osc.type = 'square';
        osc.frequency.value = freq;
        g.gain.setValueAtTime(0, at);
        g.gain.linearRampToValueAtTime(gain, at + 0.01);
        g.gain.setValueAtTime(gain, at + 0.2);
        g.gain.linearRampToValueAtTime(0, at + 0.23);
        osc.connect(g).connect(c.destination);
        osc.start(at);
        osc.stop(at + 0.25);
      }
    }
  }

  function close(): void {
    void ctx?.close().catch(() => undefined);
    ctx = null;
  }

  // ask once at load: a kiosk Chromium with --autoplay-policy=no-user-gesture-required runs at once
  context();

  return { enabled, enable, beep, close };
}

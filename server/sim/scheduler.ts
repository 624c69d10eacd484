/**
 * Timed actions of the simulation. Everything that happens later (a unit's next GPS fix, a
 * dispute being mediated) is a timer, so one loop handles them all in time order and the
 * events of a step come out sorted by time.
 */
interface Timer {
  at: number;
  n: number;
  run: (at: number) => void;
}

export class Scheduler {
  private readonly heap: Timer[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run(at)` when the simulation clock passes `at`; ties run in scheduling order. */
  at(at: number, run: (at: number) => void): void {
    this.heap.push({ at, n: this.counter++, run });
    this.up(this.heap.length - 1);
  }

  /** Runs every timer due at or before `until`, including timers that due timers schedule. */
  runUntil(until: number): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > until) return;
      this.pop();
      top.run(top.at);
    }
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Timer;
    const b = this.heap[j] as Timer;
    return a.at < b.at || (a.at === b.at && a.n < b.n);
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i] as Timer;
    this.heap[i] = this.heap[j] as Timer;
    this.heap[j] = t;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): void {
    const last = this.heap.pop();
    if (this.heap.length === 0 || !last) return;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * Residents' feedback (social supervision, `feedback.received`): mostly 4–5 when a case was
 * settled quickly and close to home, lower after escalations, routing or missed deadlines, and
 * lower still for petitions and incidents.
 */
import { DAY, HOUR, scaled, type SimContext } from './context.js';
import { CASE_FEEDBACK_COMMENTS, INCIDENT_FEEDBACK_COMMENTS } from './case-texts.js';
import type { Rng } from './random.js';

/** How a case went, as the residents experienced it. */
export type Experience = 'smooth' | 'rough' | 'petition' | 'incident';

/** Satisfaction weights 5..1 per experience. */
const WEIGHTS: Record<Experience, readonly (readonly [number, number])[]> = {
  smooth: [[5, 52], [4, 32], [3, 9], [2, 4], [1, 3]],
  rough: [[5, 28], [4, 34], [3, 20], [2, 11], [1, 7]],
  petition: [[5, 22], [4, 33], [3, 25], [2, 12], [1, 8]],
  incident: [[5, 45], [4, 30], [3, 12], [2, 8], [1, 5]],
};

/** Share of cases that get rated at all. */
export const FEEDBACK_SHARE: Record<Experience, number> = { smooth: 0.55, rough: 0.6, petition: 0.4, incident: 0.15 };

/** A satisfaction 1..5 and a comment to go with it. Pure. */
export function rating(rng: Rng, experience: Experience): { satisfaction: number; comment: string } {
  const satisfaction = rng.weighted(WEIGHTS[experience]);
  const comments = experience === 'incident' ? INCIDENT_FEEDBACK_COMMENTS : CASE_FEEDBACK_COMMENTS;
  return { satisfaction, comment: rng.pick(comments[satisfaction] ?? ['无']) };
}

export class Feedback {
  constructor(private readonly ctx: SimContext, private readonly rng: Rng) {}

  /**
   * Maybe a rating of `caseRef` some hours to days after `at` (residents answer the return
   * call or the satisfaction survey); returns the satisfaction when one is scheduled.
   */
  maybe(caseRef: string, at: number, experience: Experience): number | undefined {
    const rng = this.rng;
    if (!rng.chance(FEEDBACK_SHARE[experience])) return undefined;
    const r = rating(rng, experience);
    const delay = experience === 'incident' ? rng.range(1, 6) * HOUR : rng.range(0.2, 3) * DAY;
    this.ctx.scheduler.at(at + scaled(this.ctx, delay), (t) =>
      this.ctx.sink.emit('feedback.received', 'sim/feedback', t, { caseRef, satisfaction: r.satisfaction, comment: r.comment }));
    return r.satisfaction;
  }
}

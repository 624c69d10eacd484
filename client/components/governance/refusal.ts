// What the console says when a case command is refused: what went wrong, then the case as it is
// now (re-read after the refusal), never a bare code.
import type { CaseObject } from '../../api/governance.js';
import type { HttpError } from '../../api/http.js';
import { errorText } from '../../i18n/errors.js';
import type { Translate } from '../../i18n/labels.js';

/** The message for a refused command; `now` is the case as re-read after it, `place` names a jurisdiction. */
export function caseRefusal(err: HttpError, kind: CaseObject['kind'], now: CaseObject | null, place: (id: string) => string, tr: Translate): string {
  const d = (err.details ?? {}) as { current?: unknown };
  let head: string;
  if (err.code === 'version_conflict') head = tr('gov.conflict.version');
  else if (err.code === 'invalid_transition') {
    head = tr('gov.conflict.transition', { stage: typeof d.current === 'string' ? tr(`gov.stage.${kind}.${d.current}`) : '?' });
  } else head = errorText(err, tr, { reason: tr('gov.act.reason'), department: tr('gov.act.department'), outcome: tr('gov.act.outcome'), instruction: tr('gov.act.instruction'), deadline: tr('gov.act.deadline'), answer: tr('gov.act.reply') });
  if (!now || err.status !== 409) return head;
  return `${head} ${tr('gov.conflict.now', {
    stage: tr(`gov.stage.${now.kind}.${now.stage}`), level: tr(`levels.${now.responsibleLevel}`), place: place(now.responsibleJurisdiction), version: now.version,
  })}`;
}

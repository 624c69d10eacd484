// What the console says when a command is refused with 409: what went wrong, then the state as
// it is now (after re-reading), never a bare code.
import type { Incident } from '../../../shared/objects.js';
import type { HttpError } from '../../api/http.js';
import { errorText } from '../../i18n/errors.js';
import type { Translate } from '../../i18n/labels.js';

interface ConflictDetails {
  unitId?: string;
  status?: string;
  current?: unknown;
  conflict?: { kind?: string; id?: string };
}

/** The message for a 409 answer; `now` is the incident as re-read after it. */
export function refusalText(err: HttpError, now: Incident | null, callsign: (unitId: string) => string, tr: Translate): string {
  const d = (err.details ?? {}) as ConflictDetails;
  let head: string;
  if (err.code === 'unit_unavailable' && d.unitId) {
    head = tr('dispatch.conflict.unit', { unit: callsign(d.unitId), status: d.status ? tr(`unitStatus.${d.status}`) : '?' });
  } else if (err.code === 'version_conflict' && d.conflict?.kind === 'unit' && d.conflict.id) {
    head = tr('dispatch.conflict.unitChanged', { unit: callsign(d.conflict.id) });
  } else if (err.code === 'version_conflict') {
    head = tr('dispatch.conflict.version');
  } else if (err.code === 'invalid_transition') {
    head = tr('dispatch.conflict.transition', { status: typeof d.current === 'string' ? tr(`status.${d.current}`) : '?' });
  } else {
    head = errorText(err, tr);
  }
  if (!now) return head;
  const state = tr('dispatch.conflict.now', {
    status: tr(`status.${now.status}`), version: now.version,
    units: now.unitIds.length ? now.unitIds.map(callsign).join('、') : tr('dispatch.none'),
  });
  return `${head} ${state}`;
}

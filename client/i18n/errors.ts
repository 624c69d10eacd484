// Readable messages for API errors: the user is told what happened and what to do, never a bare code.
import { HttpError } from '../api/http.js';
import type { Translate } from './labels.js';

/** What the pages show for a failed request; `fields` names a form's fields by their API path. */
/** Server error codes with a message of their own (`errors.code.<code>`). */
const KNOWN_CODES = new Set(['last_admin', 'user_exists', 'revoked', 'csrf']);

export function errorText(err: unknown, t: Translate, fields: Record<string, string> = {}): string {
  if (!(err instanceof HttpError)) return t('errors.network');
  if (KNOWN_CODES.has(err.code)) return t(`errors.code.${err.code}`);
  if (err.status === 400 && err.fieldErrors.length > 0) {
    return err.fieldErrors
      .map((f) => t('errors.field', { field: fields[f.path] ?? fields[f.path.split('.')[0] ?? ''] ?? f.path, reason: fieldReason(f.code, f.message, t) }))
      .join('；');
  }
  switch (err.status) {
    case 400: return t('errors.invalid', { message: err.message });
    case 401: return t('errors.unauthorized');
    case 403: return t('errors.forbidden');
    case 404: return t('errors.notFound');
    case 409: return t('errors.conflict', { message: err.message });
    case 429: return t('errors.throttled', { s: err.retryAfter ?? 1 });
    default: return err.status >= 500 ? t('errors.unavailable') : t('errors.other', { status: err.status, message: err.message });
  }
}

/** A field error's reason in the UI language where its code is a common one. */
function fieldReason(code: string, message: string, t: Translate): string {
  if (code === 'required') return t('errors.reason.required');
  // the server's message is `path: reason`; keep the reason
  const reason = message.includes(': ') ? message.slice(message.indexOf(': ') + 2) : message;
  return reason;
}

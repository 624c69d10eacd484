import type { z } from 'zod';

/** One validation problem: where, a stable code, and a readable reason. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
  /** what the refusal is about, when it names another object (e.g. the open alert of alert_open) */
  details?: Record<string, unknown>;
}

/** Turns zod issues into field errors whose path names the field (e.g. `data.incidentId`). */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldError[] {
  return issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    // with reportInput, zod says what it got: a missing key is `undefined` whatever the expected type
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && 'input' in issue && issue.input === undefined;
    return {
      path: path || '(root)',
      code: missing ? 'required' : issue.code,
      message: missing ? `${path} is required` : `${path || 'value'}: ${issue.message}`,
    };
  });
}

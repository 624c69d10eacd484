// Client-side checks that mirror shared/api.ts (createUserSchema, setPasswordSchema,
// createCredentialSchema) without importing zod; the server validates again.
import type { Role } from '../../../shared/api.js';

export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;
export const NAME_MAX = 100;
/** every role, in the order the forms list them */
export const ROLE_LIST: readonly Role[] = ['duty_officer', 'coordinator', 'leader', 'admin', 'auditor'];

/** field → i18n key of the reason it is wrong */
export type Problems = Partial<Record<string, string>>;

export function checkPassword(password: string, confirm: string, out: Problems): void {
  if (password.length < PASSWORD_MIN) out.password = 'v.passwordShort';
  else if (password.length > PASSWORD_MAX) out.password = 'v.passwordLong';
  else if (password !== confirm) out.confirm = 'v.confirm';
}

export function checkName(name: string, out: Problems, field = 'displayName'): void {
  if (name.trim() === '') out[field] = 'v.required';
  else if (name.length > NAME_MAX) out[field] = 'v.nameLong';
}

/** Splits "a, b c" into ["a", "b", "c"]. */
export const splitList = (s: string) => s.split(/[\s,，;；]+/).map((x) => x.trim()).filter(Boolean);

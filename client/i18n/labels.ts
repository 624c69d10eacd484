import { INCIDENT_CATEGORIES, UNIT_KINDS } from '../../shared/catalogue.js';

const lang = (locale: string): 'zh' | 'en' => (locale.startsWith('zh') ? 'zh' : 'en');

/** A category code's name in the catalogue (unknown codes show as they are). */
export const categoryName = (code: string, locale: string) => INCIDENT_CATEGORIES[code]?.[lang(locale)] ?? code;

/** A unit kind's name in the catalogue. */
export const unitKindName = (code: string, locale: string) => UNIT_KINDS[code]?.[lang(locale)] ?? code;

/** Translator signature the non-component modules take (vue-i18n's `t`). */
export type Translate = (key: string, named?: Record<string, unknown>) => string;

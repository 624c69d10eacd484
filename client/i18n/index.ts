import { createI18n } from 'vue-i18n';
import en from './en.js';
import zhCN from './zh-CN.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
const STORAGE_KEY = 'pingan.locale';

const isLocale = (s: string | null): s is Locale => LOCALES.includes(s as Locale);

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    /* storage blocked: the default */
  }
  return 'zh-CN';
}

/** The app's i18n (Composition API only); Simplified Chinese unless the user chose English. */
export const i18n = createI18n<[typeof zhCN], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
});

/** Switches the language and remembers it in localStorage. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* storage blocked: the choice lasts for this page */
  }
}

document.documentElement.lang = i18n.global.locale.value;

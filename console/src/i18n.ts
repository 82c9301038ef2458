import { createI18n } from 'vue-i18n';
import en from './locales/en.ts';
import zh from './locales/zh-CN.ts';
import type { Locale } from './logic/format.ts';
import { features, mergeMessages } from './features/index.ts';
import type { MessageTree } from './features/feature.ts';

const STORAGE_KEY = 'rc-console-locale';

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // Storage refused (private mode): zh-CN, the default.
  }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': features.reduce((m, f) => mergeMessages(m, f.messages['zh-CN']), zh as MessageTree) as typeof zh,
    en: features.reduce((m, f) => mergeMessages(m, f.messages.en), en as MessageTree) as typeof en,
  },
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the switch still applies to this page.
  }
}

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale;
}

import i18next, { type i18n, type Resource } from 'i18next';
import type { Locale, Translator } from '../engine/types.ts';

/**
 * The engine's Translator on i18next: `{{name}}` interpolation (no code is ever evaluated), `$t(...)` nesting,
 * plurals, and a fallback to the default locale for a key one locale lacks.
 */
export function createTranslator(resources: Resource, defaultLocale: Locale): Translator {
  const instance: i18n = i18next.createInstance();
  const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
  void instance.init({
    resources,
    lng: defaultLocale,
    fallbackLng: defaultLocale,
    supportedLngs: Object.keys(resources),
    ns: namespaces,
    defaultNS: 'common',
    initAsync: false,
    // Chat text, not HTML: the channel escapes when it renders (the web simulator sets textContent).
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<i18n['init']>[0]);
  const locales = Object.keys(resources);

  return {
    t(locale, key, params = {}) {
      const lng = locales.includes(locale) ? locale : defaultLocale;
      return instance.t(key, { ...params, lng }) as string;
    },
    has(locale, key) {
      const [ns, path] = key.includes(':') ? (key.split(/:(.*)/s, 2) as [string, string]) : ['common', key];
      return instance.getResource(locale, ns, path) !== undefined;
    },
    locales: () => locales,
  };
}

import i18next, { type i18n } from 'i18next';
import type { Placeholder } from '../domain/broadcasts/notice.ts';

/**
 * A broadcast's text with its placeholders filled in, by i18next's interpolator (the project's templates
 * library) set to single braces; nothing is evaluated. Unknown placeholders were refused when the notice was
 * written. i18next replaces a placeholder by searching the text again, so a value holding braces (a worker named
 * "{session}") could capture the next placeholder: its braces are turned into full-width ones by i18next's own
 * escape hook, which changes nothing in a real name.
 */
const escapeBraces = (s: string) => s.replace(/\{/g, '｛').replace(/\}/g, '｝');

let instance: i18n | undefined;
function interpolator() {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      initAsync: false,
      resources: {},
      lng: 'zh-CN',
      showSupportNotice: false,
      interpolation: { prefix: '{', suffix: '}', escapeValue: true, escape: escapeBraces, skipOnVariables: true },
    } as Parameters<i18n['init']>[0]);
  }
  return instance.services.interpolator;
}

export function renderNotice(text: string, values: Partial<Record<Placeholder, string>>, locale: string): string {
  return interpolator().interpolate(text, values, locale, {});
}

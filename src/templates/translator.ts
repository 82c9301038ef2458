import i18next, { type i18n, type Resource } from 'i18next';
import type { Locale, TemplateParams, Translator } from '../engine/types.ts';

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
  const split = (key: string): [string, string] => (key.includes(':') ? (key.split(/:(.*)/s, 2) as [string, string]) : ['common', key]);
  // Own properties only, walked here rather than by i18next's getResource: keys are built from what flow files
  // chose (`<flow>:<step>.options.<value>`), and an option `constructor` must find no label, not Object's.
  const walk = (parts: string[]): unknown => {
    let node: unknown = resources;
    for (const part of parts) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  };
  const raw = (locale: string, key: string): unknown => {
    const [ns, path] = split(key);
    return walk([locale, ns, ...path.split('.')]);
  };
  /** Whether the key has plural or context forms (`count_one`, `count_other`), which only i18next resolves. */
  const hasForms = (locale: string, key: string): boolean => {
    const [ns, path] = split(key);
    const parts = path.split('.');
    const last = `${parts.pop()}_`;
    const parent = walk([locale, ns, ...parts]);
    return parent !== null && typeof parent === 'object' && Object.keys(parent).some((k) => k.startsWith(last));
  };

  // Templates are classified once per locale and key. Plain text (most labels and prompts) is served from this
  // cache; text with {{placeholders}} goes straight to i18next's interpolator, and text that nests other templates
  // ($t(...)) to its interpolator and then its nesting, whose inner keys come back through this same cache. Only
  // a key with plural or context forms takes the full i18next path; a missing one reads as its path, as in i18next.
  type Kind = { kind: 'plain'; text: string } | { kind: 'simple'; text: string } | { kind: 'nested'; text: string } | { kind: 'full' };
  const kinds = new Map<string, Map<string, Kind>>(locales.map((l) => [l, new Map()]));
  const kindOf = (lng: string, key: string): Kind => {
    const cache = kinds.get(lng)!;
    let hit = cache.get(key);
    if (!hit) {
      const text = raw(lng, key) ?? raw(defaultLocale, key);
      if (typeof text !== 'string') hit = hasForms(lng, key) || hasForms(defaultLocale, key) ? { kind: 'full' } : { kind: 'plain', text: split(key)[1] };
      else if (text.includes('$t(')) hit = { kind: 'nested', text };
      else hit = text.includes('{{') ? { kind: 'simple', text } : { kind: 'plain', text };
      cache.set(key, hit);
    }
    return hit;
  };

  const present = new Map<string, boolean>();
  const interpolator = instance.services.interpolator;
  const translator: Translator = {
    t(locale, key, params?: TemplateParams) {
      const lng = locales.includes(locale) ? locale : defaultLocale;
      const k = kindOf(lng, key);
      if (k.kind === 'plain') return k.text;
      const values = typeof params === 'function' ? params() : (params ?? {});
      if (k.kind === 'simple') return interpolator.interpolate(k.text, values, lng, {});
      if (k.kind === 'nested') {
        let text = interpolator.interpolate(k.text, values, lng, {});
        // nest() scans with a global regex whose position can skip the next $t(...) after a shortening
        // replacement; repeat (boundedly) until every nested template is resolved, as i18next's own t() does.
        for (let i = 0; i < 10 && text.includes('$t('); i++) {
          const before = text;
          text = interpolator.nest(text, (inner: string, opts: Record<string, unknown>) => translator.t(lng, inner, opts), {});
          if (text === before) break;
        }
        return text;
      }
      return instance.t(key, { ...values, lng }) as string;
    },
    has(locale, key) {
      // Asked on every prompt and re-prompt (is there a `…Numbered` variant?); the resources never change.
      const id = `${locale}\u0000${key}`;
      let hit = present.get(id);
      if (hit === undefined) {
        hit = raw(locale, key) !== undefined;
        // Keys are built from flow files and locales, a bounded set; the bound only guards against misuse.
        if (present.size >= 10_000) present.clear();
        present.set(id, hit);
      }
      return hit;
    },
    locales: () => locales,
  };
  return translator;
}

/**
 * The notice's placeholders and the preview the compose page shows. The server renders the real message (its
 * i18next interpolator set to single braces, `{name}`) and refuses any other text in braces; the preview only
 * swaps in sample values and is shown as text, never as HTML.
 */
export const PLACEHOLDERS = ['name', 'session', 'startsAt', 'place'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The placeholders that need a linked training session (the server refuses them without one). */
export const SESSION_PLACEHOLDERS: readonly Placeholder[] = ['session', 'startsAt', 'place'];

const TOKEN = /\{([^{}]*)\}/g;

export function token(p: Placeholder): string {
  return `{${p}}`;
}

/** The text with `p` put where the caret (or selection) was, and where the caret goes after it. */
export function insertAt(text: string, start: number | null | undefined, end: number | null | undefined, p: Placeholder): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start ?? text.length, text.length));
  const to = Math.max(from, Math.min(end ?? from, text.length));
  const t = token(p);
  return { text: text.slice(0, from) + t + text.slice(to), caret: from + t.length };
}

/** Sample values in; a placeholder with no value (or unknown) stays as typed, so a typo shows in the preview. */
export function renderPreview(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(TOKEN, (whole, key: string) => {
    const v = (values as Record<string, string | undefined>)[key];
    return v === undefined || v === '' ? whole : v;
  });
}

/** What the server would refuse in the text: braces that are no placeholder, and session ones without a session. */
export function placeholderProblems(text: string, hasSession: boolean): { unknown: string[]; needSession: string[] } {
  const found = [...text.matchAll(TOKEN)].map((m) => m[1]!);
  const known = new Set<string>(PLACEHOLDERS);
  const unknown = [...new Set(found.filter((k) => !known.has(k)))];
  const needSession = hasSession ? [] : [...new Set(found.filter((k) => (SESSION_PLACEHOLDERS as readonly string[]).includes(k)))];
  return { unknown, needSession };
}

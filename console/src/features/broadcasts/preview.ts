/**
 * The notice's placeholders and the preview the compose page shows. The server renders the real message
 * (i18next-style `{{name}}`, as the bot's templates); the preview only swaps in sample values and is shown as
 * text, never as HTML.
 */
export const PLACEHOLDERS = ['name', 'session'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export function token(p: Placeholder): string {
  return `{{${p}}}`;
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
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, key: string) => {
    const v = (values as Record<string, string | undefined>)[key];
    return v === undefined || v === '' ? whole : v;
  });
}

/** Placeholders typed that the server does not know (say `{{nmae}}`), to warn before saving. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  const found = [...text.matchAll(/\{\{\s*([A-Za-z]+)\s*\}\}/g)].map((m) => m[1]!);
  return [...new Set(found.filter((k) => !known.has(k)))];
}

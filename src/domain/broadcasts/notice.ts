/**
 * The placeholders a notice may use ({name} is the worker's name; the session's title, start and place when a
 * session is linked). Anything else in braces is refused when the notice is written, so a typo never reaches
 * ten thousand workers as "{nmae}".
 */
export const PLACEHOLDERS = ['name', 'session', 'startsAt', 'place'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const TOKEN = /\{([^{}]*)\}/g;

/** The problems of a notice text: unknown placeholders, or session placeholders without a session. */
export function placeholderProblems(text: string, hasSession: boolean): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const name = m[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) problems.push(`unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
    else if (name !== 'name' && !hasSession) problems.push(`{${name}} needs a linked session (sessionId)`);
  }
  return problems;
}

/**
 * Audit log words in the page's language: an action id (`cert.issue`-like, dotted for broadcasts, training and
 * reminders) or an outcome becomes its name from the locale's `names`; an id a newer server wrote and this console
 * does not know yet stays as it is, so nothing is hidden.
 */
type Translate = (key: string) => string;
type Has = (key: string) => boolean;

export function auditActionName(id: string, t: Translate, te: Has): string {
  const key = `names.auditAction.${id}`;
  return te(key) ? t(key) : id;
}

export function auditOutcomeName(outcome: string, t: Translate, te: Has): string {
  const key = `names.outcome.${outcome}`;
  return te(key) ? t(key) : outcome;
}

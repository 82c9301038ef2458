import type { ConditionResult, LevelEligibility } from '../../domain/eligibility/eligibility.ts';
import type { Policy } from '../../domain/policy/schema.ts';
import type { Translator } from '../../engine/types.ts';

const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toFixed(1).replace(/\.0$/, '');

/** Numbers as people read them: years to one decimal, satisfaction as a percentage, gaps never shown as 0. */
function params(r: ConditionResult, levelName: string, policy: Policy, locale: 'zh-CN' | 'en'): Record<string, unknown> {
  const years = r.condition === 'minYearsInPartyWork';
  const percent = r.condition === 'minSatisfaction';
  const show = (v: unknown) => (typeof v === 'number' ? (percent ? oneDecimal(v * 100) : years ? oneDecimal(v) : String(v)) : v);
  const gap = r.gap === undefined ? undefined : Math.max(r.gap, years ? 0.1 : 0.001);
  const requiredLevel = r.condition === 'requiresLevel' ? (policy.levels.find((l) => l.id === r.required)?.name[locale] ?? String(r.required)) : undefined;
  return {
    level: levelName,
    required: show(r.required),
    actual: show(r.actual),
    ...(gap !== undefined ? { gap: percent ? oneDecimal(gap * 100) : oneDecimal(gap) } : {}),
    ...(requiredLevel ? { requiredLevel } : {}),
    ...(r.relaxedBy ? { relaxedBy: r.relaxedBy, relaxedFrom: show(r.relaxedFrom) } : {}),
  };
}

/** One line per condition, in the words of templates/<locale>/eligibility.yaml ("还差 0.5 年"). */
export function describeCondition(t: Translator, locale: 'zh-CN' | 'en', policy: Policy, levelName: string, r: ConditionResult): string {
  const p = params(r, levelName, policy, locale);
  const line = t.t(locale, `eligibility:${r.condition}.${r.status}`, p);
  return r.relaxedBy && t.has(locale, `eligibility:relaxedNote.${r.condition}`) ? line + t.t(locale, `eligibility:relaxedNote.${r.condition}`, p) : line;
}

/** "可以申报：…  暂不符合条件：…" for the levels of a policy, with the reasons of each level that is not open. */
export function describeEligibility(t: Translator, locale: 'zh-CN' | 'en', policy: Policy, results: LevelEligibility[]): string {
  const name = (id: string) => policy.levels.find((l) => l.id === id)?.name[locale] ?? id;
  const lines: string[] = [];
  const held = results.filter((r) => r.held);
  const open = results.filter((r) => !r.held && r.eligible);
  const closed = results.filter((r) => !r.held && !r.eligible);
  // Punctuation comes from the templates with the words: full-width in Chinese, ASCII in English.
  const line = (key: string, p: Record<string, unknown>) => t.t(locale, `eligibility:line.${key}`, p);
  if (held.length) lines.push(t.t(locale, 'eligibility:heading.held', { levels: held.map((r) => name(r.level)).join(line('listSeparator', {})) }));
  if (open.length) {
    lines.push(t.t(locale, 'eligibility:heading.eligible'));
    for (const r of open) {
      lines.push(line('level', { level: name(r.level) }));
      // Each condition checked later on a line of its own, marked as the note below explains (no brackets
      // inside brackets: the conditions carry their own).
      for (const c of r.conditions.filter((c) => c.status === 'pending')) lines.push(line('pending', { text: describeCondition(t, locale, policy, name(r.level), c) }));
    }
  }
  if (closed.length) {
    lines.push(t.t(locale, 'eligibility:heading.notEligible'));
    for (const r of closed) {
      const unmet = r.conditions.filter((c) => c.status === 'unmet').map((c) => describeCondition(t, locale, policy, name(r.level), c));
      lines.push(line('notEligible', { level: name(r.level), reasons: unmet.join(line('reasonSeparator', {})) }));
    }
  }
  if (open.some((r) => r.conditions.some((c) => c.status === 'pending'))) lines.push(t.t(locale, 'eligibility:heading.pendingNote'));
  return lines.join('\n');
}

import { ownValue } from '../../domain/records/ownValue.ts';
import { normalizeCommandText } from '../commands.ts';
import type { SummaryStep } from '../flow/schema.ts';
import { fieldStep, type Turn } from '../turn.ts';
import { next, WAIT, type Outcome, type StepExecutor } from './types.ts';

const CONFIRM = new Set(['确认', '确认提交', '提交', '确定', '是', '对', '没问题', 'confirm', 'submit', 'yes', 'ok', '__confirm'].map(normalizeCommandText));
// "否"/"no" is not taken as "throw everything away": only an explicit cancel is (取消 is a global command too).
const CANCEL = new Set(['__cancel', '放弃'].map(normalizeCommandText));

export const summaryExecutor: StepExecutor<SummaryStep> = {
  enter(step, turn) {
    showSummary(step, turn);
    return WAIT;
  },

  receive(step, input, turn): Outcome {
    const raw = input.type === 'choice' ? input.choiceId : input.type === 'text' ? input.text : '';
    const t = normalizeCommandText(raw);
    if (CONFIRM.has(t)) return next(turn.resolveNext(step.next));
    if (CANCEL.has(t)) return step.cancel ? next(step.cancel) : { type: 'cancel' };
    // "3", "修改3", "修改 3", "edit 3": change that field, then come back here.
    const m = /^(?:修改|更改|改|edit|change)?\s*第?(\d{1,3})(?:项|条)?$/u.exec(t);
    const shown = shownFields(step, turn);
    if (m) {
      const n = Number(m[1]);
      const field = shown[n - 1];
      const target = field ? fieldStep(turn.flow(), field) : undefined;
      if (!target) {
        turn.say(turn.t('common:summaryBadNumber', { count: shown.length }), summaryChoices(turn));
        return WAIT;
      }
      turn.state.editReturnTo = step.id;
      const previous = ownValue(turn.state.answers, field!);
      return next(target.id, previous === undefined ? undefined : { value: previous });
    }
    if (t === '__edit') {
      turn.say(turn.t('common:summaryEditHow', { count: shown.length }));
      return WAIT;
    }
    turn.say(turn.t('common:summaryNotUnderstood', { count: shown.length }), summaryChoices(turn));
    return WAIT;
  },
};

export function showSummary(step: SummaryStep, turn: Turn): void {
  const flow = turn.flow();
  // "n. label：value" — the separator comes from the templates ("：" in Chinese, ": " in English); building the
  // line here rather than interpolating a template per line keeps the longest message of a flow cheap.
  const separator = turn.t('common:summarySeparator');
  const lines = shownFields(step, turn).map((field, i) => {
    const ask = fieldStep(flow, field);
    const label = ask ? turn.t(ask.label ?? `${flow.id}:${ask.id}.label`) : field;
    const value = ownValue(turn.state.answers, field);
    const shown = ask && value !== undefined ? turn.formatAnswer(flow, ask, value) : turn.t('common:notAnswered');
    return `${i + 1}. ${label}${separator}${shown}`;
  });
  const title = turn.t(step.title ?? 'common:summaryTitle');
  turn.say([title, ...lines, turn.t('common:summaryHint')].join('\n'), summaryChoices(turn));
}

/**
 * The fields the summary lists and numbers: those the flow asked (a question skipped by a branch, such as the
 * recommending organisation of a self-application, is left out; one the user chose to skip shows as 未填写).
 */
function shownFields(step: SummaryStep, turn: Turn): string[] {
  // Field ids come from the flow file and may be any word, `constructor` included: only the answers themselves count.
  return step.fields.filter((f) => ownValue(turn.state.answers, f) !== undefined);
}

function summaryChoices(turn: Turn) {
  return [
    { id: '__confirm', label: turn.t('common:confirmChoice') },
    { id: '__edit', label: turn.t('common:editChoice') },
    { id: '__cancel', label: turn.t('common:cancelChoice') },
  ];
}

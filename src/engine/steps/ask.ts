import { isKeep, isSkip, normalizeCommandText } from '../commands.ts';
import type { AskStep } from '../flow/schema.ts';
import { inputHandler } from '../inputs/index.ts';
import type { UserInput } from '../inputs/types.ts';
import type { Turn } from '../turn.ts';
import type { AnswerValue, Choice } from '../types.ts';
import { next, WAIT, type Outcome, type StepExecutor } from './types.ts';

export const KEEP_CHOICE = '__keep';

export const askExecutor: StepExecutor<AskStep> = {
  enter(step, turn) {
    const optional = step.optional || (step.input.type === 'image' && step.input.optional);
    if (step.input.type === 'image' && !turn.ctx.capabilities.images && optional) {
      // The channel cannot carry pictures: skip the optional evidence question rather than ask for the impossible.
      turn.say(turn.t('inputs:image.skippedNoImages'));
      return record(step, null, turn);
    }
    prompt(step, turn);
    return WAIT;
  },

  receive(step, input, turn) {
    const pending = turn.state.pending;
    const flow = turn.flow();
    if (pending?.kind === 'keep' && isKeepInput(input, turn, step)) return record(step, pending.value, turn);
    // A new attempt after the help-or-cancel offer starts a fresh count, so the offer does not repeat every time.
    if (turn.state.retries >= flow.maxRetries) turn.state.retries = 0;
    const optional = step.optional || (step.input.type === 'image' && step.input.optional);
    if (optional && input.type === 'text' && isSkip(input.text)) return record(step, null, turn);

    const handler = inputHandler(step.input);
    const outcome = handler.parse(step.input, input, turn.inputContext(flow, step));
    switch (outcome.kind) {
      case 'accept':
        return record(step, outcome.value, turn);
      case 'continue':
        turn.state.pending = outcome.pending;
        turn.say(outcome.text, outcome.choices);
        return WAIT;
      case 'reject': {
        turn.state.retries += 1;
        turn.effects.push({ type: 'inputRejected', flowId: flow.id, stepId: step.id, reason: outcome.reason });
        if (turn.state.retries >= flow.maxRetries) {
          turn.say(`${outcome.message}\n${turn.t('common:stuck')}`, stuckChoices(turn));
          return WAIT;
        }
        const choices = outcome.choices ?? handler.choices?.(step.input, turn.inputContext(flow, step));
        turn.say(outcome.message, choices, step.input.type === 'choice' && step.input.multi, outcome.numberedMessage);
        return WAIT;
      }
    }
  },
};

/** Ask the step's question: its prompt, choices, and — after "back" or "edit" — the previous answer to keep. */
export function prompt(step: AskStep, turn: Turn, prefix?: string): void {
  const flow = turn.flow();
  const handler = inputHandler(step.input);
  const ictx = turn.inputContext(flow, step);
  const key = step.prompt ?? `${flow.id}:${step.id}.prompt`;
  const parts = [turn.t(key)];
  const numbered = turn.numberedVariant(key);
  if (prefix) parts.unshift(prefix);
  const optional = step.optional || (step.input.type === 'image' && step.input.optional);
  if (optional) parts.push(turn.t('common:skipHint'));
  let choices: Choice[] = handler.choices?.(step.input, ictx) ?? [];
  const pending = turn.state.pending;
  if (pending?.kind === 'keep' && pending.value !== undefined) {
    parts.push(turn.t('common:previousAnswer', { value: turn.formatAnswer(flow, step, pending.value) }));
    // Last, so the question's own options keep their numbers ("1" still means option 1).
    choices = [...choices, { id: KEEP_CHOICE, label: turn.t('common:keepChoice') }];
  }
  const question = parts.indexOf(turn.t(key));
  const numberedText = numbered === undefined ? undefined : parts.map((p, i) => (i === question ? numbered : p)).join('\n');
  turn.say(parts.join('\n'), choices, step.input.type === 'choice' && step.input.multi, numberedText);
}

function record(step: AskStep, value: AnswerValue, turn: Turn): Outcome {
  const s = turn.state;
  s.answers[turn.fieldOf(step)] = value;
  // An edit from the summary changes an answer already in the history; pushing it again would make "back"
  // at the summary return to the edited field instead of the last question.
  if (!s.editReturnTo) s.history.push({ flowId: s.flowId!, stepId: step.id });
  s.pending = null;
  s.retries = 0;
  if (s.editReturnTo) {
    const back = s.editReturnTo;
    s.editReturnTo = null;
    return next(back);
  }
  return next(turn.resolveNext(step.next));
}

/** "保留", the button's id, its label typed out (text-only channels), or its number after the options. */
function isKeepInput(input: UserInput, turn: Turn, step: AskStep): boolean {
  if (input.type === 'choice') return input.choiceId === KEEP_CHOICE;
  if (input.type !== 'text') return false;
  if (input.text === KEEP_CHOICE || isKeep(input.text) || turn.isButtonLabel(input.text, 'common:keepChoice')) return true;
  const options = inputHandler(step.input).choices?.(step.input, turn.inputContext(turn.flow(), step)) ?? [];
  return options.length > 0 && normalizeCommandText(input.text) === String(options.length + 1);
}

export function stuckChoices(turn: Turn): Choice[] {
  return [
    { id: '__retry', label: turn.t('common:retryChoice') },
    { id: '__help', label: turn.t('common:helpChoice') },
    { id: '__cancel', label: turn.t('common:cancelChoice') },
  ];
}

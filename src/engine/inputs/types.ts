import type { AskStep, Flow, InputSpec } from '../flow/schema.ts';
import type { AnswerValue, ChannelCapabilities, Choice, EngineData, Inbound, Locale, Pending, Translator } from '../types.ts';

export interface InputContext {
  flow: Flow;
  step: AskStep;
  locale: Locale;
  translator: Translator;
  /** Today's date (YYYY-MM-DD) in the service's time zone, for "not in the future" checks. */
  today: string;
  data: EngineData;
  capabilities: ChannelCapabilities;
  pending: Pending | null;
  /** Action results of the conversation, for inputs whose options come from one (`optionsFrom`). */
  vars: Record<string, unknown>;
  /** The flow's answers so far, for checks against an earlier answer (a date input's `minAge`). */
  answers: Record<string, unknown>;
}

export type InputOutcome =
  | { kind: 'accept'; value: AnswerValue }
  /** `reason` is a stable code for metrics; `message` is the rendered, specific re-prompt. */
  | { kind: 'reject'; reason: string; message: string; choices?: Choice[]; numberedMessage?: string }
  /** The input needs more turns (walking a region tree): keep `pending`, show `text` and `choices`. */
  | { kind: 'continue'; pending: Pending; text: string; choices: Choice[] };

export type UserInput = Extract<Inbound, { type: 'text' } | { type: 'choice' } | { type: 'image' }>;

export interface InputHandler<S extends InputSpec = InputSpec> {
  parse(spec: S, input: UserInput, ctx: InputContext): InputOutcome;
  /** Choices shown with the prompt (numbered text, keyboard buttons or web buttons, by channel). */
  choices?(spec: S, ctx: InputContext): Choice[];
  /** Extra prompt text for multi-turn inputs (the current level of a region tree). */
  promptSuffix?(spec: S, ctx: InputContext): string | undefined;
  /** How an answer is shown back (summary, "keep the previous answer"). Personal data is masked here. */
  format(spec: S, value: AnswerValue, ctx: InputContext): string;
}

/** Render `inputs:<type>.<reason>`: the specific message the user sees for a rejected answer. */
export function reject(ctx: InputContext, type: string, reason: string, params: Record<string, unknown> = {}): InputOutcome {
  const key = `inputs:${type}.${reason}`;
  const numbered = `${key}Numbered`;
  return {
    kind: 'reject',
    reason,
    message: ctx.translator.t(ctx.locale, key, params),
    // Where the options show as numbers (WeChat text) the message may ask for one (see OutboundMessage.numbered).
    ...(ctx.translator.has(ctx.locale, numbered) ? { numberedMessage: ctx.translator.t(ctx.locale, numbered, params) } : {}),
  };
}

/** The text of a user input, or null when the user sent something else (an image at a text question). */
export function textOf(input: UserInput): string | null {
  if (input.type === 'text') return input.text;
  if (input.type === 'choice') return input.choiceId;
  return null;
}

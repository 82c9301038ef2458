import { normalizeCommandText } from './commands.ts';
import { chinaDate } from '../domain/dates/parseDate.ts';
import { evaluate } from './conditions.ts';
import { FlowReferenceError } from './errors.ts';
import type { FlowRegistry } from './flow/registry.ts';
import type { AskStep, Flow, Step } from './flow/schema.ts';
import { nextSchema } from './flow/schema.ts';
import { inputHandler } from './inputs/index.ts';
import type { InputContext } from './inputs/types.ts';
import type { ActionRequest, AnswerValue, Choice, ConversationState, Effect, OutboundMessage, TurnContext, TurnResult } from './types.ts';
import type { z } from 'zod';

/**
 * The working memory of one turn: a draft state, the messages to send and the effects to report. Step executors
 * read and write it; nothing leaves it until runTurn returns, so a turn is all-or-nothing for the caller.
 */
export class Turn {
  readonly outbound: OutboundMessage[] = [];
  readonly effects: Effect[] = [];
  awaitingAction: ActionRequest | null = null;
  readonly today: string;

  constructor(
    readonly flows: FlowRegistry,
    readonly state: ConversationState,
    readonly ctx: TurnContext,
  ) {
    this.today = chinaDate(ctx.now);
  }

  result(): TurnResult {
    this.state.updatedAt = this.ctx.now.toISOString();
    return { state: this.state, outbound: this.outbound, effects: this.effects, awaitingAction: this.awaitingAction };
  }

  // ---- text -------------------------------------------------------------------------------------------------------
  /**
   * Render a template. Without `params`, flow templates may read the conversation (`{{answers.name}}`,
   * `{{vars.profile.value.x}}`); that scope is built only when the template has placeholders at all.
   */
  t(key: string, params?: Record<string, unknown>): string {
    return this.ctx.translator.t(this.state.locale, key, params ?? (() => this.templateScope()));
  }

  /** The `<key>Numbered` variant of a template (one that speaks of option numbers), when there is one. */
  numberedVariant(key: string, params?: Record<string, unknown>): string | undefined {
    const variant = `${key}Numbered`;
    return this.hasTemplate(variant) ? this.t(variant, params) : undefined;
  }

  hasTemplate(key: string): boolean {
    return this.ctx.translator.has(this.state.locale, key) || this.ctx.translator.has(this.ctx.defaultLocale, key);
  }

  say(text: string, choices?: Choice[], multi?: boolean, numbered?: string): void {
    const msg: OutboundMessage = { text };
    if (choices && choices.length) msg.choices = choices;
    if (multi) msg.multi = true;
    if (numbered !== undefined && numbered !== text && msg.choices) msg.numbered = numbered;
    this.outbound.push(msg);
  }

  /** Template parameters: answers as shown to users (labels, masked IDs), raw answers, action results, context. */
  templateScope(): Record<string, unknown> {
    const flow = this.flowOrNull();
    const answers: Record<string, string> = {};
    if (flow) {
      for (const [field, value] of Object.entries(this.state.answers)) {
        const step = fieldStep(flow, field);
        answers[field] = step ? this.formatAnswer(flow, step, value) : String(value);
      }
    }
    return { answers, raw: this.state.answers, vars: this.state.vars, context: this.conditionContext() };
  }

  conditionScope(): Record<string, unknown> {
    return { answers: this.state.answers, vars: this.state.vars, context: this.conditionContext() };
  }

  private conditionContext(): Record<string, unknown> {
    return { channel: this.state.channel, locale: this.state.locale, today: this.today, images: this.ctx.capabilities.images };
  }

  // ---- flows and steps --------------------------------------------------------------------------------------------
  flowOrNull(): Flow | null {
    const { flowId, flowVersion } = this.state;
    if (!flowId || flowVersion === null) return null;
    return this.flows.version(flowId, flowVersion) ?? null;
  }

  flow(): Flow {
    const flow = this.flowOrNull();
    if (!flow) throw new FlowReferenceError(`no flow loaded for ${this.state.flowId}@${this.state.flowVersion}`);
    return flow;
  }

  step(id = this.state.stepId): Step {
    const flow = this.flow();
    const step = id ? flow.stepsById.get(id) : undefined;
    if (!step) throw new FlowReferenceError(`${flow.file}: step \`${id}\` does not exist`);
    return step;
  }

  /** The first target whose condition holds; null means "the flow ends here". */
  resolveNext(next: z.infer<typeof nextSchema> | undefined): string | null {
    if (next === undefined) return null;
    if (typeof next === 'string') return next;
    const scope = this.conditionScope();
    for (const option of next) if (!option.when || evaluate(option.when, scope)) return option.goto;
    return null;
  }

  inputContext(flow: Flow, step: AskStep): InputContext {
    return {
      flow,
      step,
      locale: this.state.locale,
      translator: this.ctx.translator,
      today: this.today,
      data: this.ctx.data,
      capabilities: this.ctx.capabilities,
      pending: this.state.pending,
      vars: this.state.vars,
      answers: this.state.answers,
    };
  }

  formatAnswer(flow: Flow, step: AskStep, value: AnswerValue): string {
    if (value === null || value === undefined) return this.ctx.translator.t(this.state.locale, 'common:skipped');
    return inputHandler(step.input).format(step.input, value, this.inputContext(flow, step));
  }

  /** Whether `text` is the label of one of the bot's own buttons, in any locale (typed on text-only channels). */
  isButtonLabel(text: string, key: string): boolean {
    const t = normalizeCommandText(text);
    return this.ctx.translator.locales().some((l) => normalizeCommandText(this.ctx.translator.t(l, key)) === t);
  }

  fieldOf(step: AskStep): string {
    return step.field ?? step.id;
  }
}

/** The ask step that fills `field` in `flow`. */
export function fieldStep(flow: Flow, field: string): AskStep | undefined {
  for (const step of flow.steps) if (step.kind === 'ask' && (step.field ?? step.id) === field) return step;
  return undefined;
}

import { ownValue } from '../domain/records/ownValue.ts';
import { isSubmitWord, matchGlobalCommand, normalizeCommandText, type GlobalCommand } from './commands.ts';
import { drive, flowTitle, park, startFlow } from './driver.ts';
import { helpList } from './helpList.ts';
import type { FlowRegistry } from './flow/registry.ts';
import type { UserInput } from './inputs/types.ts';
import { inputHandler } from './inputs/index.ts';
import { prompt } from './steps/ask.ts';
import { executorFor } from './steps/index.ts';
import { showSummary } from './steps/summary.ts';
import { next, WAIT, type Outcome } from './steps/types.ts';
import { cloneState } from './state.ts';
import { Turn } from './turn.ts';
import type { ConversationState, Inbound, TurnContext, TurnResult } from './types.ts';

/** Flows the global commands open. They are ordinary flow files; without them the commands say so politely. */
export const MENU_FLOW = 'menu';
export const STATUS_FLOW = 'status';

/**
 * One turn of a conversation: (flows, state, inbound, context) → (new state, messages, effects). Pure: it reads
 * no clock but `ctx.now`, does no I/O, and never mutates `state`. When a flow reaches an action step the result
 * has `awaitingAction`; the app runs the action and calls runTurn again with an `actionResult` inbound on the
 * returned state, so one user message is still one state write.
 */
export function runTurn(flows: FlowRegistry, state: ConversationState, inbound: Inbound, ctx: TurnContext): TurnResult {
  const turn = new Turn(flows, cloneState(state), ctx);
  if (inbound.type === 'actionResult') drive(turn, actionResult(turn, inbound));
  else drive(turn, userMessage(turn, inbound));
  return turn.result();
}

function actionResult(turn: Turn, inbound: Extract<Inbound, { type: 'actionResult' }>): Outcome {
  const step = turn.state.stepId && turn.flowOrNull() ? turn.step() : null;
  if (!step || step.kind !== 'action') {
    throw new Error(`an action result arrived but the conversation is not at an action step (at ${turn.state.flowId}/${turn.state.stepId})`);
  }
  const result = { ok: inbound.ok, value: inbound.value, ...(inbound.error ? { error: inbound.error } : {}) };
  turn.state.vars[step.result ?? step.id] = result;
  if (inbound.ok) return next(turn.resolveNext(step.next));
  if (step.onError) return next(step.onError);
  turn.say(turn.t('common:actionFailed'));
  return { type: 'cancel' };
}

function userMessage(turn: Turn, input: UserInput): Outcome {
  const s = turn.state;
  const text = input.type === 'text' ? input.text : input.type === 'choice' ? input.choiceId : null;
  const command = text === null ? null : commandOf(text);

  if (s.flowId && !turn.flowOrNull()) {
    const migrated = migrate(turn);
    if (migrated) return migrated;
  }
  if (command?.kind === 'language') {
    s.locale = command.locale;
    turn.say(turn.t('common:languageSet'));
    if (s.pending?.kind === 'resume') s.pending = null; // the re-asked question is answered next, not the offer
    return s.flowId ? reprompt(turn) : WAIT;
  }
  if (!s.flowId) return idle(turn, input, text, command);

  const idleMs = turn.ctx.now.getTime() - Date.parse(s.updatedAt);
  if (idleMs > turn.ctx.sessionTimeoutMs && s.pending?.kind !== 'resume' && !command) {
    const answers = answersQuestion(turn, input);
    const atMenu = s.flowId === MENU_FLOW;
    // A menu left open with nothing chosen, or a message that starts another flow (我的证书, 签到 123456): read
    // the message afresh. A flow with answers is parked first (park keeps it only then), so it is offered again
    // when the new one ends; a flow's first question still gets its answer or the offer.
    if (atMenu ? s.history.length === 0 && !answers : !answers && text !== null && opensFlowAfterTimeout(turn, text)) {
      park(turn);
      return idle(turn, input, text, command);
    }
    if (answers) {
      // The message that wakes the conversation is an answer to the question it was left at: take it (a menu's
      // choice without a welcome back to the menu).
      if (!atMenu) turn.say(turn.t('common:welcomeBackAnswered', { title: flowTitle(turn, s.flowId) }));
    } else {
      s.pending = { kind: 'resume' };
      turn.say(turn.t('common:welcomeBack', { title: flowTitle(turn, s.flowId) }), resumeChoices(turn));
      return WAIT;
    }
  }
  if (s.pending?.kind === 'resume') {
    const t = text === null ? '' : normalizeCommandText(text);
    if (['__resume', '1', '继续', 'continue', '是', 'yes'].includes(t) || (text !== null && turn.isButtonLabel(text, 'common:resumeChoice'))) {
      s.pending = null;
      s.retries = 0;
      return reprompt(turn);
    }
    if (command?.kind === 'restart' || ['__restart', '2'].includes(t) || (text !== null && turn.isButtonLabel(text, 'common:restartChoice'))) return restart(turn);
    if (!command) {
      turn.say(turn.t('common:welcomeBack', { title: flowTitle(turn, s.flowId) }), resumeChoices(turn));
      return WAIT;
    }
    s.pending = null;
  }

  if (command) return inFlowCommand(turn, command);
  if (text === '__cancel' && turn.step().kind !== 'summary') return { type: 'cancel' };
  if (text === '__retry' || (text !== null && turn.isButtonLabel(text, 'common:retryChoice') && s.retries >= turn.flow().maxRetries)) {
    s.retries = 0;
    return reprompt(turn);
  }
  const step = turn.step();
  // "我的信息" typed at a choice question is not an answer but a wish to do something else: open that flow and
  // park this one. Free-text questions are exempt, since any word may be a genuine answer there, unless their
  // pattern refuses it (a check-in code is digits: 我的培训 there is no answer).
  const openAnswer = text !== null && step.kind === 'ask' && step.input.type === 'text' && (!step.input.pattern || new RegExp(step.input.pattern, 'u').test(text));
  const trigger = text === null ? undefined : turn.flows.byTrigger(text);
  // A word that is one of the question's own choices (培训 for 培训开课 at 退订's "which kind") is that answer:
  // the worker replied to what was asked.
  if (trigger && trigger.id !== s.flowId && !openAnswer && !answersQuestion(turn, input)) {
    park(turn);
    return startFlow(turn, trigger.id);
  }
  const withArgument = text === null || trigger || openAnswer ? undefined : turn.flows.byArgumentTrigger(text);
  if (withArgument && withArgument.flow.id !== s.flowId) {
    park(turn);
    return startWithArgument(turn, withArgument);
  }
  // 提交 typed at the main menu (a third 提交 after a poll's, say) submits nothing: say so, as when no flow is open,
  // rather than "choose one of the numbers".
  if (s.flowId === MENU_FLOW && text !== null && isSubmitWord(text) && !answersQuestion(turn, input)) {
    turn.say(turn.t('common:nothingToSubmit'));
    return reprompt(turn);
  }
  const executor = executorFor(step);
  // A conversation stored at a step that does not wait (a crash between an action and its result) re-enters it.
  if (!executor.receive) return next(step.id);
  return executor.receive(step, input, turn);
}

/**
 * Whether the input is a valid answer to the question the conversation waits at. Free-text questions are left
 * out: any greeting would "answer" them, and the worker may not remember what was asked.
 */
function answersQuestion(turn: Turn, input: UserInput): boolean {
  const step = turn.step();
  if (step.kind !== 'ask' || step.input.type === 'text') return false;
  const handler = inputHandler(step.input);
  const outcome = handler.parse(step.input, input, turn.inputContext(turn.flow(), step));
  return outcome.kind !== 'reject';
}

/**
 * The text opens a flow (注册, 签到 123456) that may replace the current one: any, while nothing is answered yet;
 * once something is, only another flow (我的证书 while 签到 waits), since the current one is parked, not restarted.
 */
function opensFlowAfterTimeout(turn: Turn, text: string): boolean {
  const opened = turn.flows.byTrigger(text)?.id ?? turn.flows.byArgumentTrigger(text)?.flow.id;
  if (opened === undefined) return false;
  return turn.state.history.length === 0 || opened !== turn.state.flowId;
}

function commandOf(text: string): GlobalCommand | null {
  if (text === '__help') return { kind: 'help' };
  if (text === '__cancel') return null; // a button meaning "cancel" where it appears (summary cancel, stuck offer)
  return matchGlobalCommand(text);
}

function idle(turn: Turn, input: UserInput, text: string | null, command: GlobalCommand | null): Outcome {
  const firstContact = turn.state.version === 0;
  if (firstContact) turn.say(turn.t('common:welcome'));
  if (command) {
    switch (command.kind) {
      case 'status':
        return openFlow(turn, STATUS_FLOW);
      case 'help':
        turn.say(helpList(turn));
        return openFlow(turn, MENU_FLOW);
      case 'menu':
        return openFlow(turn, MENU_FLOW);
      default:
        if (!firstContact) turn.say(turn.t('common:nothingInProgress'));
        return openFlow(turn, MENU_FLOW);
    }
  }
  const trigger = text === null ? undefined : turn.flows.byTrigger(text);
  if (trigger) return startFlow(turn, trigger.id);
  const withArgument = text === null ? undefined : turn.flows.byArgumentTrigger(text);
  if (withArgument) return startWithArgument(turn, withArgument);
  if (!firstContact) turn.say(turn.t(input.type === 'image' ? 'common:imageNotExpected' : text !== null && isSubmitWord(text) ? 'common:nothingToSubmit' : 'common:notUnderstood'));
  return openFlow(turn, MENU_FLOW);
}

/** "签到 123456": the flow starts with the words after its trigger in `vars.argument`. */
function startWithArgument(turn: Turn, match: { flow: { id: string }; argument: string }): Outcome {
  const outcome = startFlow(turn, match.flow.id);
  turn.state.vars.argument = match.argument;
  return outcome;
}

function openFlow(turn: Turn, flowId: string): Outcome {
  if (!turn.flows.has(flowId)) {
    turn.say(helpList(turn));
    return WAIT;
  }
  return startFlow(turn, flowId);
}

function inFlowCommand(turn: Turn, command: GlobalCommand): Outcome {
  const s = turn.state;
  const flow = turn.flow();
  const step = turn.step();
  switch (command.kind) {
    case 'help': {
      const key = (step.kind === 'ask' && step.help) || `${flow.id}:${step.id}.help`;
      // At the main menu nothing is in progress, so help is the idle list of what can be done, built from the flows.
      if (flow.id === MENU_FLOW) turn.say(helpList(turn));
      else turn.say(turn.t(turn.hasTemplate(key) ? key : 'common:helpInFlow'));
      s.retries = 0; // help read: the next attempt gets a fresh count
      return reprompt(turn);
    }
    case 'cancel':
      return { type: 'cancel' };
    case 'restart':
      return restart(turn);
    case 'back': {
      const entry = s.history.pop();
      if (!entry) {
        turn.say(turn.t('common:atFirstQuestion'));
        return reprompt(turn);
      }
      s.editReturnTo = null;
      const target = flow.stepsById.get(entry.stepId);
      const field = target?.kind === 'ask' ? (target.field ?? target.id) : undefined;
      const previous = field === undefined ? undefined : ownValue(s.answers, field);
      return next(entry.stepId, previous === undefined ? undefined : { value: previous });
    }
    case 'menu':
      park(turn);
      return openFlow(turn, MENU_FLOW);
    case 'status':
      park(turn);
      return openFlow(turn, STATUS_FLOW);
    case 'edit':
      turn.say(turn.t(step.kind === 'summary' ? 'common:summaryEditHow' : 'common:editOnlyAtSummary', { count: step.kind === 'summary' ? step.fields.filter((f) => ownValue(s.answers, f) !== undefined).length : 0 }));
      return step.kind === 'summary' ? WAIT : reprompt(turn);
    case 'language':
      return reprompt(turn); // handled before; kept for exhaustiveness
  }
}

function restart(turn: Turn): Outcome {
  const flowId = turn.state.flowId!;
  turn.state.parked = turn.state.parked?.flowId === flowId ? null : turn.state.parked;
  turn.say(turn.t('common:restarted'));
  return startFlow(turn, flowId);
}

/** Ask the current question again (after help, a language switch, a resume). */
export function reprompt(turn: Turn): Outcome {
  const step = turn.step();
  if (step.kind === 'ask') {
    prompt(step, turn);
    return WAIT;
  }
  if (step.kind === 'summary') {
    showSummary(step, turn);
    return WAIT;
  }
  return next(step.id);
}

export function resumeChoices(turn: Turn) {
  return [
    { id: '__resume', label: turn.t('common:resumeChoice') },
    { id: '__restart', label: turn.t('common:restartChoice') },
  ];
}

/**
 * The conversation's flow version is no longer loaded. Keep the answers whose field ids the current version still
 * has; continue at the same step when it still exists, else restart at the first unanswered question — with a
 * notice, never a crash. Returns null when the turn can go on as usual.
 */
function migrate(turn: Turn): Outcome | null {
  const s = turn.state;
  const from = s.flowVersion ?? 0;
  if (!turn.flows.has(s.flowId!)) {
    s.flowId = null;
    s.flowVersion = null;
    turn.say(turn.t('common:flowGone'));
    return openFlow(turn, MENU_FLOW);
  }
  const target = turn.flows.current(s.flowId!);
  const fields = new Set<string>();
  for (const step of target.steps) {
    if (step.kind === 'ask') fields.add(step.field ?? step.id);
    if (step.kind === 'subflow') fields.add(step.flow);
  }
  s.answers = Object.fromEntries(Object.entries(s.answers).filter(([field]) => fields.has(field)));
  s.history = s.history.filter((h) => target.stepsById.has(h.stepId));
  // The call stack stays: callers are resolved to their current versions when the sub-flow returns.
  Object.assign(s, { flowVersion: target.version, pending: null, editReturnTo: null, retries: 0 });
  const here = s.stepId ? target.stepsById.get(s.stepId) : undefined;
  if (here && (here.kind === 'ask' || here.kind === 'summary')) {
    turn.effects.push({ type: 'flowMigrated', flowId: target.id, from, to: target.version, restarted: false });
    return null;
  }
  const firstOpen = target.steps.find((st) => st.kind === 'ask' && ownValue(s.answers, st.field ?? st.id) === undefined);
  turn.effects.push({ type: 'flowMigrated', flowId: target.id, from, to: target.version, restarted: true });
  turn.say(turn.t('common:flowUpdated'));
  return next(firstOpen?.id ?? target.startStep);
}


import { executorFor } from './steps/index.ts';
import type { Outcome } from './steps/types.ts';
import type { Turn } from './turn.ts';

/** A flow whose steps jump in a circle without asking anything would hang the turn; stop it instead. */
const MAX_HOPS_PER_TURN = 200;

/**
 * Carry out outcomes until the conversation waits (for the user or for an action) or is idle. This is the one
 * place that moves a conversation between steps and flows.
 */
export function drive(turn: Turn, start: Outcome): Outcome {
  let outcome = start;
  for (let hops = 0; ; hops++) {
    if (hops > MAX_HOPS_PER_TURN) {
      throw new Error(`flow \`${turn.state.flowId}\`: more than ${MAX_HOPS_PER_TURN} steps in one turn without a question; check the goto/branch cycle around step \`${turn.state.stepId}\``);
    }
    switch (outcome.type) {
      case 'wait':
      case 'pause':
      case 'done':
        return outcome;
      case 'cancel':
        outcome = cancelFlow(turn);
        break;
      case 'finish':
        outcome = finishFlow(turn, outcome.startFlow);
        break;
      case 'call':
        outcome = callFlow(turn, outcome.flowId);
        break;
      case 'next': {
        if (outcome.target === null) {
          outcome = finishFlow(turn);
          break;
        }
        const s = turn.state;
        s.stepId = outcome.target;
        s.retries = 0;
        s.pending = outcome.keep ? { kind: 'keep', value: outcome.keep.value } : null;
        const step = turn.step();
        outcome = executorFor(step).enter(step, turn);
        break;
      }
    }
  }
}

export function startFlow(turn: Turn, flowId: string): Outcome {
  const parked = turn.state.parked;
  if (parked && parked.flowId === flowId) return resumeParked(turn);
  const flow = turn.flows.current(flowId);
  Object.assign(turn.state, { flowId: flow.id, flowVersion: flow.version, stack: [] });
  resetFlowData(turn);
  turn.effects.push({ type: 'flowStarted', flowId: flow.id });
  return { type: 'next', target: flow.startStep };
}

/** Enter a sub-flow; the caller's answers and history wait on the stack until it returns. */
function callFlow(turn: Turn, flowId: string): Outcome {
  const s = turn.state;
  const callee = turn.flows.current(flowId);
  s.stack.push({ flowId: s.flowId!, flowVersion: s.flowVersion!, returnTo: s.stepId!, answers: s.answers, history: s.history, vars: s.vars });
  Object.assign(s, { flowId: callee.id, flowVersion: callee.version });
  resetFlowData(turn);
  return { type: 'next', target: callee.startStep };
}

/** The current flow reached its end: return to a caller, start the next flow, or go back to a parked one. */
function finishFlow(turn: Turn, startNext?: string): Outcome {
  const flow = turn.flow();
  turn.effects.push({ type: 'flowCompleted', flowId: flow.id, answers: turn.state.answers });
  const frame = turn.state.stack.pop();
  if (frame) {
    const calleeAnswers = turn.state.answers;
    // The caller's version may have been replaced while the callee ran: continue in the current one.
    const caller = turn.flows.version(frame.flowId, frame.flowVersion) ?? (turn.flows.has(frame.flowId) ? turn.flows.current(frame.flowId) : null);
    if (!caller) {
      clearFlow(turn);
      return { type: 'done' };
    }
    Object.assign(turn.state, {
      flowId: caller.id,
      flowVersion: caller.version,
      stepId: frame.returnTo,
      answers: { ...frame.answers, [flow.id]: calleeAnswers },
      history: [...frame.history],
      vars: { ...(frame.vars ?? {}) },
      pending: null,
    });
    const callStep = caller.stepsById.get(frame.returnTo);
    if (!callStep) return { type: 'next', target: caller.startStep };
    return { type: 'next', target: callStep.kind === 'subflow' ? turn.resolveNext(callStep.next) : null };
  }
  clearFlow(turn);
  if (startNext) return startFlow(turn, startNext);
  if (turn.state.parked) return resumeParked(turn);
  return { type: 'done' };
}

function cancelFlow(turn: Turn): Outcome {
  const flowId = turn.state.flowId;
  const answeredSomething = turn.state.history.length > 0;
  // Said before the flow is cleared, so the message can name what was cancelled.
  const title = flowId && turn.flows.has(flowId) ? flowTitle(turn, flowId) : '';
  if (flowId) turn.effects.push({ type: 'flowCancelled', flowId });
  clearFlow(turn);
  // Leaving the menu opened over a flow loses nothing, so it is not announced as a cancellation. A flow whose
  // answers are no form being filled in (a check-in code) says in its own `<flow>:cancelled` what leaving it means.
  const own = flowId ? `${flowId}:cancelled` : null;
  if (answeredSomething) turn.say(turn.t(own && turn.hasTemplate(own) ? own : 'common:cancelled', { title }));
  else if (!turn.state.parked) turn.say(turn.t('common:cancelledEmpty', { title }));
  if (turn.state.parked) return resumeParked(turn);
  return { type: 'done' };
}

/** Put the current flow aside (the user asked for the menu or their status) so it resumes afterwards. */
export function park(turn: Turn): void {
  const s = turn.state;
  if (!s.flowId || s.flowVersion === null || !s.stepId) return;
  // One flow waits at a time. A flow with nothing answered (a menu, an edit menu, a first question) is not worth
  // parking: coming back to it after the next command would only repeat a question nobody is answering.
  if (s.history.length > 0) {
    s.parked = { flowId: s.flowId, flowVersion: s.flowVersion, stepId: s.stepId, answers: s.answers, history: s.history, stack: s.stack };
  }
  clearFlow(turn);
}

function resumeParked(turn: Turn): Outcome {
  const parked = turn.state.parked!;
  turn.state.parked = null;
  if (!turn.flows.has(parked.flowId)) return { type: 'done' };
  const flow = turn.flows.version(parked.flowId, parked.flowVersion) ?? turn.flows.current(parked.flowId);
  Object.assign(turn.state, { flowId: flow.id, flowVersion: flow.version, stack: [...parked.stack] });
  resetFlowData(turn);
  Object.assign(turn.state, { answers: { ...parked.answers }, history: [...parked.history] });
  turn.say(turn.t('common:resumed', { title: flowTitle(turn, flow.id) }));
  return { type: 'next', target: flow.stepsById.has(parked.stepId) ? parked.stepId : flow.startStep };
}

export function flowTitle(turn: Turn, flowId: string): string {
  const flow = turn.flows.current(flowId);
  return turn.t(flow.title ?? `${flow.id}:title`);
}

function resetFlowData(turn: Turn): void {
  Object.assign(turn.state, { stepId: null, answers: {}, vars: {}, history: [], retries: 0, pending: null, editReturnTo: null });
}

function clearFlow(turn: Turn): void {
  Object.assign(turn.state, { flowId: null, flowVersion: null, stack: [] });
  resetFlowData(turn);
}

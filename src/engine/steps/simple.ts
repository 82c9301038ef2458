import { evaluate, readPath } from '../conditions.ts';
import { helpList } from '../helpList.ts';
import type { Step } from '../flow/schema.ts';
import type { AnswerValue } from '../types.ts';
import { next, type StepExecutor } from './types.ts';

type Of<K extends Step['kind']> = Extract<Step, { kind: K }>;

export const sayExecutor: StepExecutor<Of<'say'>> = {
  enter(step, turn) {
    turn.say(turn.t(step.text ?? `${turn.flow().id}:${step.id}.text`));
    return next(turn.resolveNext(step.next));
  },
};

export const branchExecutor: StepExecutor<Of<'branch'>> = {
  enter(step, turn) {
    const scope = turn.conditionScope();
    const hit = step.branches.find((b) => evaluate(b.when, scope));
    return next(hit ? hit.goto : step.default);
  },
};

export const gotoExecutor: StepExecutor<Of<'goto'>> = {
  enter: (step) => next(step.target),
};

export const subflowExecutor: StepExecutor<Of<'subflow'>> = {
  enter: (step) => ({ type: 'call', flowId: step.flow }),
};

export const endExecutor: StepExecutor<Of<'end'>> = {
  enter(step, turn) {
    const key = step.text ?? `${turn.flow().id}:${step.id}.text`;
    if (step.help) turn.say(helpList(turn));
    else if (step.text || turn.hasTemplate(key)) turn.say(turn.t(key));
    return step.startFlow ? { type: 'finish', startFlow: step.startFlow } : { type: 'finish' };
  },
};

/**
 * Actions are named handlers in the app layer (register a worker, look up a profile). The engine only asks for
 * one and waits; the app runs it and feeds the result back into the same turn (see runTurn's actionResult).
 */
export const actionExecutor: StepExecutor<Of<'action'>> = {
  enter(step, turn) {
    const scope = turn.conditionScope();
    const args: Record<string, AnswerValue> = {};
    for (const [name, value] of Object.entries(step.args)) {
      // "$answers.name" reads from the conversation; anything else is a literal.
      args[name] = (typeof value === 'string' && value.startsWith('$') ? readPath(scope, value.slice(1)) ?? null : value) as AnswerValue;
    }
    turn.awaitingAction = { name: step.action, args, handlesErrors: step.onError !== undefined };
    return { type: 'pause' };
  },
};

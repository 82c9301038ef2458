import type { Step } from '../flow/schema.ts';
import { askExecutor } from './ask.ts';
import { actionExecutor, branchExecutor, endExecutor, gotoExecutor, sayExecutor, subflowExecutor } from './simple.ts';
import { summaryExecutor } from './summary.ts';
import type { StepExecutor } from './types.ts';

/** One executor per step kind (as Typebot does per block); adding a kind means adding a schema entry and a file. */
const EXECUTORS: { [K in Step['kind']]: StepExecutor<Extract<Step, { kind: K }>> } = {
  ask: askExecutor,
  say: sayExecutor,
  branch: branchExecutor,
  action: actionExecutor,
  goto: gotoExecutor,
  subflow: subflowExecutor,
  summary: summaryExecutor,
  end: endExecutor,
};

export function executorFor(step: Step): StepExecutor {
  return EXECUTORS[step.kind] as StepExecutor;
}

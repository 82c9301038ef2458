import type { ConversationState, Effect } from './types.ts';

/** What happened at one step of one flow version in one turn; counted by the funnel counters. */
export type FunnelEventKind = 'reached' | 'answered' | 'retry' | 'gaveUp' | 'timedOut';

export interface FunnelEvent {
  kind: FunnelEventKind;
  flowId: string;
  flowVersion: number;
  stepId: string;
  /** For `answered`: time from the question's last asking (the conversation's previous turn) to the answer. */
  ms?: number;
}

interface Position {
  flowId: string;
  flowVersion: number;
  stepId: string;
}

const positionOf = (s: ConversationState): Position | null =>
  s.flowId !== null && s.flowVersion !== null && s.stepId !== null ? { flowId: s.flowId, flowVersion: s.flowVersion, stepId: s.stepId } : null;

/**
 * The funnel events of one turn, read off the state before and after it and the turn's effects (no engine hook):
 *
 * - timedOut: the conversation waited at a step longer than the session timeout (counted when it wakes);
 * - retry: an answer refused at a step (`inputRejected`);
 * - answered: the turn left the step it started at with an answer taken — in the same flow with one more answer
 *   in its history (or back to the summary after an edit), or into a sub-flow, or by completing the flow;
 * - gaveUp: the turn left the flow any other way (取消, 菜单, another flow's trigger, a restart of the flow);
 * - reached: the turn ends waiting at a step other than the one it started at (a flow's first question, the next
 *   question, the previous one after "back").
 * The app records them; nothing here reads a clock or does I/O.
 */
export function funnelEvents(before: ConversationState, after: { state: ConversationState; effects: readonly Effect[] }, now: Date, sessionTimeoutMs: number): FunnelEvent[] {
  const events: FunnelEvent[] = [];
  const from = positionOf(before);
  const to = positionOf(after.state);
  const s = after.state;
  const idleMs = now.getTime() - Date.parse(before.updatedAt);
  const timedOut = from !== null && idleMs > sessionTimeoutMs;
  if (timedOut) events.push({ kind: 'timedOut', ...from });

  for (const e of after.effects) {
    if (e.type !== 'inputRejected') continue;
    const version = from?.flowId === e.flowId ? from.flowVersion : s.flowId === e.flowId ? s.flowVersion : null;
    if (version !== null) events.push({ kind: 'retry', flowId: e.flowId, flowVersion: version, stepId: e.stepId });
  }

  const moved = from !== null && (to === null || to.flowId !== from.flowId || to.flowVersion !== from.flowVersion || to.stepId !== from.stepId);
  if (from !== null && moved) {
    const sameFlow = to !== null && to.flowId === from.flowId && to.flowVersion === from.flowVersion;
    let answered = false;
    let gaveUp = false;
    if (sameFlow) {
      // Back (a shorter history) answers nothing and leaves nothing; a restart (the flow started again) gives up.
      answered = s.history.length > before.history.length || (before.editReturnTo !== null && s.editReturnTo === null && to.stepId === before.editReturnTo);
      gaveUp = !answered && after.effects.some((e) => e.type === 'flowStarted' && e.flowId === from.flowId);
    } else {
      const completed = after.effects.some((e) => e.type === 'flowCompleted' && e.flowId === from.flowId);
      const cancelled = after.effects.some((e) => (e.type === 'flowCancelled' || e.type === 'flowMigrated') && e.flowId === from.flowId);
      const calledSubflow = s.stack.length > before.stack.length && s.stack.at(-1)?.flowId === from.flowId;
      answered = !cancelled && (completed || calledSubflow);
      gaveUp = !answered;
    }
    if (answered) events.push({ kind: 'answered', ...from, ...(timedOut ? {} : { ms: Math.max(0, idleMs) }) });
    else if (gaveUp) events.push({ kind: 'gaveUp', ...from });
  }
  if (to !== null && (from === null || moved)) events.push({ kind: 'reached', ...to });
  return events;
}

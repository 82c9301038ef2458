/**
 * Shared by the engine conversation tests: a registration driven through the real flows to a given waiting point,
 * kept as a snapshot so that each test starts from a copy instead of replaying the whole conversation.
 */
import type { ConversationState, OutboundMessage } from '../../src/engine/types.ts';
import { EngineHarness, makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';

export const ID_NUMBER = makeIdNumber('320102', '19850312', '123');
export const ID_MASKED = `320***********${ID_NUMBER.slice(-4)}`;

/** A complete, valid registration: [the step that waits for it, the user's reply], derived from the flow. */
export const REGISTRATION_ANSWERS: readonly [string, string][] = registrationAnswers(ID_NUMBER);

export interface Snapshot {
  state: ConversationState;
  now: Date;
}

export function snapshot(h: EngineHarness): Snapshot {
  return { state: structuredClone(h.state), now: new Date(h.now) };
}

/** A fresh harness (fresh in-memory repository) continuing from a snapshot. */
export function restore(snap: Snapshot): EngineHarness {
  const h = new EngineHarness();
  h.state = structuredClone(snap.state);
  h.now = new Date(snap.now);
  return h;
}

/**
 * Start a registration (first contact: "注册") and answer until the conversation waits at `stepId`; `skip` answers
 * of that step are given first (e.g. 1 for the region tree: stop after "江苏").
 */
export async function registrationAt(stepId: string, skip = 0, h = new EngineHarness()): Promise<EngineHarness> {
  await h.send('注册');
  for (const [step, reply] of REGISTRATION_ANSWERS) {
    if (h.state.stepId === stepId && skip-- <= 0) break;
    if (h.state.stepId !== step) throw new Error(`expected to wait at ${step}, waiting at ${h.state.stepId}`);
    await h.send(reply);
  }
  if (h.state.stepId !== stepId) throw new Error(`expected to wait at ${stepId}, waiting at ${h.state.stepId}`);
  return h;
}

export function texts(out: OutboundMessage[]): string {
  return out.map((m) => m.text).join('\n---\n');
}

/** Labels of the last message that offers choices. */
export function choiceLabels(out: OutboundMessage[]): string[] {
  return out.filter((m) => m.choices?.length).at(-1)?.choices?.map((c) => c.label) ?? [];
}

export function choiceIds(out: OutboundMessage[]): string[] {
  return out.filter((m) => m.choices?.length).at(-1)?.choices?.map((c) => c.id) ?? [];
}

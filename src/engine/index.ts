/** The engine's public surface: load and lint flows, run turns. Pure; see docs/contributing.md "Layers". */
export { runTurn, MENU_FLOW, STATUS_FLOW } from './runTurn.ts';
export { reaskQuestion } from './reaskQuestion.ts';
export { parseFlow } from './flow/load.ts';
export { FlowRegistry } from './flow/registry.ts';
export { lintFlows, type LintFinding } from './flow/lint.ts';
export { newConversation } from './state.ts';
export { FlowLoadError } from './errors.ts';
export type * from './types.ts';
export type { Flow, Step } from './flow/schema.ts';

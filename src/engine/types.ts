/**
 * Plain data shapes shared by the engine and its callers. Nothing here does I/O: a conversation is a record,
 * a turn is a function of (flows, state, inbound, context), and its result is data the app layer acts on.
 */

export type Locale = string;

/** A JSON-compatible answer value: inputs decide their own shape (an ID number answer carries derived facts). */
export type AnswerValue = string | number | boolean | null | AnswerValue[] | { [key: string]: AnswerValue };

export interface HistoryEntry {
  flowId: string;
  stepId: string;
}

/** A return address for a sub-flow: where to continue in the caller when the callee ends. */
export interface CallFrame {
  flowId: string;
  flowVersion: number;
  returnTo: string;
  answers: Record<string, AnswerValue>;
  history: HistoryEntry[];
  vars: Record<string, AnswerValue>;
}

/** Multi-turn bookkeeping inside one step (a region tree being walked, a retry offer, a resume offer). */
export type Pending =
  | { kind: 'tree'; path: string[] }
  | { kind: 'resume' }
  | { kind: 'keep'; value: AnswerValue }
  /** A date question answered with a month only ("2015年7月"): the day is asked next. */
  | { kind: 'day'; month: string };

/** A flow interrupted by the menu or a status request, which the user can go back to. */
export interface ParkedFlow {
  flowId: string;
  flowVersion: number;
  stepId: string;
  answers: Record<string, AnswerValue>;
  history: HistoryEntry[];
  stack: CallFrame[];
}

export interface ConversationState {
  channel: string;
  userId: string;
  flowId: string | null;
  flowVersion: number | null;
  stepId: string | null;
  answers: Record<string, AnswerValue>;
  /** Results of actions, by the name the flow gave them (`result:` of an action step). */
  vars: Record<string, AnswerValue>;
  history: HistoryEntry[];
  stack: CallFrame[];
  /** Failed answers in a row at the current question; at the flow's maxRetries the bot offers help or cancel. */
  retries: number;
  locale: Locale;
  pending: Pending | null;
  /** Set while the user edits one field from a summary: after the answer, go back to that summary. */
  editReturnTo: string | null;
  parked: ParkedFlow | null;
  /** ISO time of the last turn; the idle timeout is measured from it. */
  updatedAt: string;
  /** Optimistic concurrency counter, incremented by the store on every write. */
  version: number;
}

export type Inbound =
  | { type: 'text'; text: string }
  | { type: 'choice'; choiceId: string }
  | { type: 'image'; mediaRef: string }
  /** The result of an action the engine asked for, fed back into the same turn. */
  | { type: 'actionResult'; ok: boolean; value: AnswerValue; error?: string };

export interface Choice {
  id: string;
  label: string;
}

export interface OutboundMessage {
  text: string;
  /**
   * The text for channels that show the choices as numbered lines (WeChat text): it may say "回复编号", which
   * `text` never does, since buttons (the simulator, Telegram) show no numbers. Absent: `text` fits both.
   */
  numbered?: string;
  choices?: Choice[];
  /** Whether the user may pick several choices (channels that render checkboxes use it). */
  multi?: boolean;
}

/** Things the app layer should know happened; data, not calls. */
export type Effect =
  | { type: 'flowStarted'; flowId: string }
  | { type: 'flowCompleted'; flowId: string; answers: Record<string, AnswerValue> }
  | { type: 'flowCancelled'; flowId: string }
  | { type: 'flowMigrated'; flowId: string; from: number; to: number; restarted: boolean }
  | { type: 'inputRejected'; flowId: string; stepId: string; reason: string };

export interface ActionRequest {
  name: string;
  args: Record<string, AnswerValue>;
  /** The flow has an `onError` path for this action; without one, a failed action should abort the whole turn. */
  handlesErrors: boolean;
}

export interface TurnResult {
  state: ConversationState;
  outbound: OutboundMessage[];
  effects: Effect[];
  /** Set when a flow reached an action step: run it and call runTurn again with an `actionResult` inbound. */
  awaitingAction: ActionRequest | null;
}

/** Template parameters, or a function that builds them only if the template turns out to need any. */
export type TemplateParams = Record<string, unknown> | (() => Record<string, unknown>);

/** Renders a template key; a well-kept i18n library sits behind it (see src/templates). */
export interface Translator {
  t(locale: Locale, key: string, params?: TemplateParams): string;
  has(locale: Locale, key: string): boolean;
  locales(): Locale[];
}

export interface ChannelCapabilities {
  images: boolean;
}

/** Data sources an input may read, e.g. the region tree; loaded by the app at start-up. */
export interface EngineData {
  regions: import('../domain/regions/regions.ts').RegionNode[];
}

export interface TurnContext {
  now: Date;
  translator: Translator;
  defaultLocale: Locale;
  sessionTimeoutMs: number;
  capabilities: ChannelCapabilities;
  data: EngineData;
}

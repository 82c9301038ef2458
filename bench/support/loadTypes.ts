/** What the load generator child (loadChild.ts) and the benches that drive it (loadDriver.ts) exchange. */

/** One simulated user part-way through its script; users carry over from run to run. */
export interface SimUser {
  /** The user's number: its ID number and chat id derive from it. */
  n: number;
  /** The id the app knows the user by (the /sim userId, the Telegram chat id, the WeChat openid). */
  userId: string;
  script: string[];
  /** Messages of the script sent so far. */
  i: number;
  /** The reply said the registration succeeded. */
  success: boolean;
}

/** One message as the generator saw it. */
export interface LoadSample {
  userId: string;
  /** Script position (1-based). */
  pos: number;
  /** Issued (open loop: scheduled) → reply complete, in ms. */
  latencyMs: number;
  /** Of it: waiting for a socket of the generator's own pool. */
  socketWaitMs: number;
  /** Of it: scheduled → the generator got round to sending it (its own event loop was busy or late). */
  lateMs: number;
  /** performance.now() in the child when the reply was complete (only differences mean anything). */
  doneAt: number;
}

/** The outcome of one run (sanity, closed loop or open loop). */
export interface LoadRun {
  samples: LoadSample[];
  messages: number;
  registrations: number;
  successes: number;
  /** Outcome counts by kind ("ok", "busy", "HTTP 503", "network", "passive reply", ...). */
  outcomes: Record<string, number>;
  firstError: string | null;
  elapsedMs: number;
  /** Open loop: arrivals scheduled; closed loop: messages sent. */
  issued: number;
  /** Open loop: the most arrivals waiting for an idle user at once. */
  maxBacklog: number;
  minPos: number;
  maxPos: number;
  /** The generator's own event-loop delay during the run (closed and open loops), in ms. */
  loop?: { p50: number; p99: number; max: number };
}

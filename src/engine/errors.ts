/** One error class per cause, each saying what is wrong and how to fix it. */

export class FlowLoadError extends Error {
  override name = 'FlowLoadError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}

/** A flow references something that is not there (unknown step, unknown flow); raised only on a lint-bypassed flow. */
export class FlowReferenceError extends Error {
  override name = 'FlowReferenceError';
}

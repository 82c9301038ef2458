/** What the inbound pipeline reports; prom-client sits behind it (src/http/metrics.ts). */
export interface TurnMetrics {
  turn(channel: string, seconds: number): void;
  dedupeHit(channel: string): void;
  error(kind: string): void;
}

export const noMetrics: TurnMetrics = { turn() {}, dedupeHit() {}, error() {} };

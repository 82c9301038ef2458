import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TurnMetrics } from '../app/ports/metrics.ts';

/** Prometheus metrics: turns, turn latency, dedupe hits, errors, plus the process defaults. */
export function createMetrics(): { registry: Registry; turnMetrics: TurnMetrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'redcollar_' });
  const turns = new Counter({ name: 'redcollar_turns_total', help: 'Conversation turns completed', labelNames: ['channel'], registers: [registry] });
  const latency = new Histogram({
    name: 'redcollar_turn_duration_seconds',
    help: 'Time from receiving a message to having its replies, including the database write',
    labelNames: ['channel'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const dedupe = new Counter({ name: 'redcollar_dedupe_hits_total', help: 'Inbound messages recognised as repeats', labelNames: ['channel'], registers: [registry] });
  const errors = new Counter({ name: 'redcollar_errors_total', help: 'Errors by kind', labelNames: ['kind'], registers: [registry] });
  return {
    registry,
    turnMetrics: {
      turn(channel, seconds) {
        turns.inc({ channel });
        latency.observe({ channel }, seconds);
      },
      dedupeHit: (channel) => dedupe.inc({ channel }),
      error: (kind) => errors.inc({ kind }),
    },
  };
}

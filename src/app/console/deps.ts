import type { FlowRegistry } from '../../engine/flow/registry.ts';
import type { CertificationDeps } from '../certification/deps.ts';
import type { ConsoleReads, SavedFilterStore } from '../ports/consoleReads.ts';
import type { FunnelCounterStore } from '../ports/funnel.ts';

/** What the console's read use cases need beyond the certification deps; main.ts builds it once. */
export interface ConsoleDeps extends CertificationDeps {
  reads: ConsoleReads;
  savedFilters: SavedFilterStore;
  funnelCounters: FunnelCounterStore;
  /** Writes this instance's pending funnel counts first, so a funnel read includes the latest turns. */
  flushFunnel: () => Promise<void>;
  flows: FlowRegistry;
}

import type { CertificationDeps } from '../certification/deps.ts';
import type { ReminderStore } from '../ports/reminders.ts';
import type { TrainingRepository } from '../ports/training.ts';
import type { RegionSettingsView } from '../reminders/regionSettings.ts';

/** The training use cases: the certification deps (workers, applications, audit, sender, ...) plus their own stores. */
export interface TrainingDeps extends CertificationDeps {
  training: TrainingRepository;
  reminders: ReminderStore;
  /** The server's secret for check-in codes (derived from the PII key in main.ts, never sent anywhere). */
  checkinSecret: Buffer;
  /** Reminder settings set per region through the admin API (the policies' otherwise). */
  regionSettings?: RegionSettingsView;
  /**
   * Told after a worker's enrolment changed by their own hand or by time (enrolled, waiting, a held seat taken
   * up, 取消报名, an offer lapsed), so that what depends on it follows (a broadcast's answers: main.ts wires
   * app/broadcasts/answerFollows.ts). Called through `enrolmentChanged`, which logs a failure: the change stands.
   */
  onEnrolmentChange?: (sessionId: string, workerId: string) => Promise<void>;
}

/** Tells `onEnrolmentChange`, if any; a failure there is logged and does not undo or fail the enrolment change. */
export async function enrolmentChanged(deps: TrainingDeps, sessionId: string, workerId: string): Promise<void> {
  if (!deps.onEnrolmentChange) return;
  await deps.onEnrolmentChange(sessionId, workerId).catch((err: unknown) => deps.logger.warn({ err, session: sessionId, worker: workerId }, 'could not bring what follows an enrolment up to date'));
}

/** The sweep that expires lapsed waiting-list offers and offers free seats to the next in line. */
export const OFFER_SWEEP_JOB = 'training.offerSweep';

import type { RegionNode } from '../../domain/regions/regions.ts';
import { applicationStatus } from '../certification/applicationStatus.ts';
import { declareApplication } from '../certification/declareApplication.ts';
import type { CertificationDeps } from '../certification/deps.ts';
import { listDeclarableLevels } from '../certification/listDeclarableLevels.ts';
import { myCertificates } from '../certification/myCertificates.ts';
import { addEvidence, myApplications, returnReason, workerCommand } from '../certification/workerCommands.ts';
import type { OrganizationRepository } from '../ports/organizationRepository.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';
import { checkIdNumber } from '../worker/checkIdNumber.ts';
import { registerWorker } from '../worker/registerWorker.ts';
import { updateProfile } from '../worker/updateProfile.ts';
import { viewProfile } from '../worker/viewProfile.ts';
import type { TrainingDeps } from '../training/deps.ts';
import { cancelEnrolment, checkIn, enrol, listSessions, muteReminders, myEnrolments, myTraining, unmuteReminders } from '../training/workerTraining.ts';
import type { ActionHandler, ActionRegistry } from './types.ts';

type WorkerDeps = { workers: WorkerRepository; organizations: OrganizationRepository; regions: RegionNode[] };

const WORKER_ACTIONS: Record<string, (deps: WorkerDeps) => ActionHandler> = {
  'worker.profile': viewProfile,
  'worker.register': registerWorker,
  'worker.checkIdNumber': checkIdNumber,
  'worker.update': updateProfile,
};

const CERTIFICATION_ACTIONS: Record<string, (deps: CertificationDeps) => ActionHandler> = {
  'certification.levels': listDeclarableLevels,
  'certification.declare': declareApplication,
  'certification.status': applicationStatus,
  'certification.certificates': myCertificates,
  'certification.myApplications': myApplications,
  'certification.withdraw': (deps) => workerCommand(deps, 'withdraw'),
  'certification.resubmit': (deps) => workerCommand(deps, 'resubmit'),
  'certification.addEvidence': addEvidence,
  'certification.returnReason': returnReason,
};

const TRAINING_ACTIONS: Record<string, (deps: TrainingDeps) => ActionHandler> = {
  'training.list': listSessions,
  'training.enrol': enrol,
  'training.cancel': cancelEnrolment,
  'training.myEnrolments': myEnrolments,
  'training.mine': myTraining,
  'training.checkin': checkIn,
  'reminders.mute': muteReminders,
  'reminders.unmute': unmuteReminders,
};

/** Every action a flow may name: content loading refuses a flow naming anything else (loadContent.ts). */
export const ACTION_NAMES: readonly string[] = [...Object.keys(WORKER_ACTIONS), ...Object.keys(CERTIFICATION_ACTIONS), ...Object.keys(TRAINING_ACTIONS)];

/** The actions, built over their dependencies. The certification actions need the certification stores; pure engine tests run without them. */
export function createActions(deps: WorkerDeps & { certification?: CertificationDeps; training?: TrainingDeps }): ActionRegistry {
  const actions: ActionRegistry = {};
  for (const [name, create] of Object.entries(WORKER_ACTIONS)) actions[name] = create(deps);
  const certification = deps.certification;
  if (certification) for (const [name, create] of Object.entries(CERTIFICATION_ACTIONS)) actions[name] = create(certification);
  const training = deps.training;
  if (training) for (const [name, create] of Object.entries(TRAINING_ACTIONS)) actions[name] = create(training);
  return actions;
}

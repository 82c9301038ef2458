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
import type { ActionRegistry } from './types.ts';

/**
 * Every action a flow may name. A flow naming anything else is refused at start-up (main.ts). The certification
 * actions need the certification stores; pure engine tests run without them.
 */
export function createActions(deps: { workers: WorkerRepository; organizations: OrganizationRepository; regions: RegionNode[]; certification?: CertificationDeps }): ActionRegistry {
  const actions: ActionRegistry = {
    'worker.profile': viewProfile(deps),
    'worker.register': registerWorker(deps),
    'worker.checkIdNumber': checkIdNumber(deps),
    'worker.update': updateProfile(deps),
  };
  if (deps.certification) {
    Object.assign(actions, {
      'certification.levels': listDeclarableLevels(deps.certification),
      'certification.declare': declareApplication(deps.certification),
      'certification.status': applicationStatus(deps.certification),
      'certification.certificates': myCertificates(deps.certification),
      'certification.myApplications': myApplications(deps.certification),
      'certification.withdraw': workerCommand(deps.certification, 'withdraw'),
      'certification.resubmit': workerCommand(deps.certification, 'resubmit'),
      'certification.addEvidence': addEvidence(deps.certification),
      'certification.returnReason': returnReason(deps.certification),
    });
  }
  return actions;
}

import type { RegionNode } from '../../domain/regions/regions.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';
import { registerWorker } from '../worker/registerWorker.ts';
import { updateProfile } from '../worker/updateProfile.ts';
import { viewProfile } from '../worker/viewProfile.ts';
import type { ActionRegistry } from './types.ts';

/** Every action a flow may name. A flow naming anything else is caught by the start-up check in main.ts. */
export function createActions(deps: { workers: WorkerRepository; regions: RegionNode[] }): ActionRegistry {
  return {
    'worker.profile': viewProfile(deps),
    'worker.register': registerWorker(deps),
    'worker.update': updateProfile(deps),
  };
}

import { createMemoryWorkerRepository } from '../support/memoryWorkerRepository.ts';
import { workerRepositoryContract } from './workerRepositoryContract.ts';

workerRepositoryContract('in-memory test double', async () => createMemoryWorkerRepository());

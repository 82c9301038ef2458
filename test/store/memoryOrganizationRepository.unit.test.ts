import { createMemoryOrganizationRepository } from '../support/memoryOrganizationRepository.ts';
import { organizationRepositoryContract } from './organizationRepositoryContract.ts';

organizationRepositoryContract('in-memory test double', async () => createMemoryOrganizationRepository());

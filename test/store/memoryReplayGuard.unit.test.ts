import { createMemoryReplayGuard } from '../support/memoryReplayGuard.ts';
import { replayGuardContract } from './replayGuardContract.ts';

replayGuardContract('in-memory test double', async () => createMemoryReplayGuard());

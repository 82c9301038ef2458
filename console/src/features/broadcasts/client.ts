/** The broadcast client the pages share, on the console's signed-in HTTP client. */
import { api } from '../../session.ts';
import { createBroadcastsApi } from './api.ts';

export const broadcastsApi = createBroadcastsApi(api.http);

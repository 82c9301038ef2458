import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunningApp } from '../../src/main.ts';
import { simSay, startTestApp } from '../support/httpApp.ts';
import { loadTranscripts, playTranscript } from '../support/transcripts.ts';

/** The transcripts of test/transcripts, end to end: HTTP → pipeline → engine → MongoDB → HTTP. */
let app: RunningApp;
beforeAll(async () => {
  app = await startTestApp('sim_transcripts');
});
afterAll(() => app?.stop());

describe('transcripts through POST /sim/api/messages', () => {
  for (const [i, { file, transcript }] of loadTranscripts().entries()) {
    it(`${file}: ${transcript.name}`, async () => {
      await playTranscript(transcript, (user, text) => simSay(app.url, `t${i}-${user}`, text));
    });
  }
});

import { describe, it } from 'vitest';
import { EngineHarness, defaultActions } from '../support/engineHarness.ts';
import { loadTranscripts, playTranscript } from '../support/transcripts.ts';

describe('transcripts against the pure engine', () => {
  for (const { file, transcript } of loadTranscripts()) {
    it(`${file}: ${transcript.name}`, async () => {
      const actions = defaultActions(); // shared by the users of one transcript, like one database
      const users = new Map<string, EngineHarness>();
      await playTranscript(transcript, (user, text) => {
        let h = users.get(user);
        if (!h) {
          h = new EngineHarness(actions);
          h.state = { ...h.state, userId: user };
          users.set(user, h);
        }
        return h.send(text);
      });
    });
  }
});

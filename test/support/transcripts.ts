import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROOT } from './engineHarness.ts';

/**
 * Conversations written as data: what the user says, and what the bot's replies must contain. The same files run
 * against the pure engine (test/engine/transcripts.test.ts) and end to end through every channel's HTTP endpoint
 * (test/e2e/sim-transcripts.test.ts), so a flow change that breaks a conversation fails in both places.
 */
const turnSchema = z.strictObject({
  user: z.union([z.string(), z.number()]).transform(String),
  /** Every string must appear in the reply text (all replies of the turn, joined). */
  expect: z.array(z.string()).default([]),
  /** None of these may appear. */
  absent: z.array(z.string()).default([]),
  /** These choice labels must be offered (in the last reply that has choices). */
  choices: z.array(z.string()).optional(),
});
const transcriptSchema = z.strictObject({
  name: z.string(),
  /** Users other than the main one, for transcripts about two accounts (duplicate ID). */
  turns: z.array(turnSchema.extend({ as: z.string().optional() })).min(1),
});
export type Transcript = z.infer<typeof transcriptSchema>;
export interface Reply {
  text: string;
  choices?: { id: string; label: string }[];
}

export function loadTranscripts(dir = join(ROOT, 'test', 'transcripts')): { file: string; transcript: Transcript }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, transcript: transcriptSchema.parse(parseYaml(readFileSync(join(dir, file), 'utf8'))) }));
}

/** Play a transcript; `send(user, text)` delivers one message as that user and returns the bot's replies. */
export async function playTranscript(t: Transcript, send: (user: string, text: string) => Promise<Reply[]> | Reply[]): Promise<void> {
  for (const [i, turn] of t.turns.entries()) {
    const replies = await send(turn.as ?? 'main', turn.user);
    const text = replies.map((r) => r.text).join('\n');
    const where = `${t.name}, turn ${i + 1} (user: ${JSON.stringify(turn.user)})`;
    for (const needle of turn.expect) {
      if (!text.includes(needle)) throw new Error(`${where}: expected the reply to contain ${JSON.stringify(needle)}, got:\n${text}`);
    }
    for (const needle of turn.absent) {
      if (text.includes(needle)) throw new Error(`${where}: expected the reply NOT to contain ${JSON.stringify(needle)}, got:\n${text}`);
    }
    if (turn.choices) {
      const offered = replies.filter((r) => r.choices?.length).at(-1)?.choices?.map((c) => c.label) ?? [];
      for (const label of turn.choices) {
        if (!offered.includes(label)) throw new Error(`${where}: expected choice ${JSON.stringify(label)}, offered: ${JSON.stringify(offered)}`);
      }
    }
  }
}

import { maskName } from '../../domain/pii/maskName.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { ReachHow } from '../ports/reach.ts';
import { audienceOf } from './audience.ts';
import { scopedBroadcast } from './compose.ts';
import type { BroadcastDeps, Result } from './deps.ts';

type Reachable = Record<ReachHow | 'none', number>;
export interface DryRun {
  total: number;
  byChannel: { channel: string; recipients: number; reachable: Reachable }[];
  sample: { name: string; channel: string }[];
}

const SAMPLE = 5;
const ASK_AT_ONCE = 50;

/**
 * The recipients the broadcast would have if sending started now, per channel, and how each could be reached
 * at this moment (in the window, by template, by subscribe grant, directly, not at all). Nothing is written or
 * sent. The same audience function fixes the audience when sending starts, so the counts agree.
 */
export async function dryRun(deps: BroadcastDeps, admin: AdminRecord, id: string): Promise<Result<DryRun>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const by = new Map<string, { recipients: number; reachable: Reachable }>();
  const sample: DryRun['sample'] = [];
  let total = 0;
  let batch: { channel: string; userId: string }[] = [];
  const ask = async () => {
    const answers = await Promise.all(batch.map((r) => deps.reach(r.channel, r.userId, 'broadcast').catch(() => ({ reachable: false as const, reason: 'noChannel' as const }))));
    answers.forEach((a, i) => {
      const row = by.get(batch[i]!.channel)!;
      row.reachable[a.reachable ? a.how : 'none']++;
    });
    batch = [];
  };
  for await (const r of audienceOf(deps, found.value.segment)) {
    total++;
    if (!by.has(r.channel)) by.set(r.channel, { recipients: 0, reachable: { window: 0, template: 0, subscribe: 0, direct: 0, none: 0 } });
    by.get(r.channel)!.recipients++;
    if (sample.length < SAMPLE) sample.push({ name: maskName(r.name), channel: r.channel });
    batch.push(r);
    if (batch.length >= ASK_AT_ONCE) await ask();
  }
  await ask();
  return { ok: true, value: { total, byChannel: [...by].map(([channel, v]) => ({ channel, ...v })).sort((a, b) => a.channel.localeCompare(b.channel)), sample } };
}

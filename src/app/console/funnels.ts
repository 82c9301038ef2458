import { addCounts, zeroCounts, type FunnelCounts } from '../../domain/funnel/counts.ts';
import { medianMs } from '../../domain/funnel/durations.ts';
import type { Result } from '../certification/runCommand.ts';
import type { ConsoleDeps } from './deps.ts';
import type { Lang } from './names.ts';

export interface FunnelStep {
  stepId: string;
  label: string;
  reached: number;
  answered: number;
  retries: number;
  gaveUp: number;
  timedOut: number;
  medianMs: number | null;
}

/**
 * Per-step funnels of one flow version over a range of China days. The counters carry no region or personal data
 * (a registration has no region until it is asked), so every admin sees the same, whole-system numbers.
 */
export async function funnels(deps: ConsoleDeps, q: { flow?: string; version?: number; from: string; to: string; lang: Lang }): Promise<Result<{ flows: { id: string; title: string; versions: number[] }[]; flow: string; version: number; from: string; to: string; steps: FunnelStep[] }>> {
  if (q.from > q.to) return { ok: false, error: { status: 400, code: 'invalidRange', message: `from (${q.from}) is after to (${q.to})` } };
  await deps.flushFunnel();
  const counted = await deps.funnelCounters.versions();
  const byFlow = new Map<string, Set<number>>();
  for (const f of deps.flows.all()) (byFlow.get(f.id) ?? byFlow.set(f.id, new Set()).get(f.id)!).add(f.version);
  for (const c of counted) (byFlow.get(c.flowId) ?? byFlow.set(c.flowId, new Set()).get(c.flowId)!).add(c.flowVersion);
  // Flows that ask nothing (a status reply, a menu) have no funnel: only those with a question, or with counters.
  const asks = (id: string) => deps.flows.has(id) && deps.flows.current(id).steps.some((s) => s.kind === 'ask' || s.kind === 'summary');
  const countedIds = new Set(counted.map((c) => c.flowId));
  const title = (id: string) => (deps.translator.has(q.lang, `${id}:title`) ? deps.translator.t(q.lang, `${id}:title`) : id);
  const flows = [...byFlow.entries()]
    .filter(([id]) => asks(id) || countedIds.has(id))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, v]) => ({ id, title: title(id), versions: [...v].sort((a, b) => a - b) }));

  // Without a choice, a flow people have used (the first with counters) rather than the first by name.
  const flowId = q.flow ?? flows.find((f) => countedIds.has(f.id))?.id ?? flows[0]?.id;
  const entry = flows.find((f) => f.id === flowId);
  if (!flowId || !entry) return { ok: false, error: { status: 404, code: 'notFound', message: `no flow ${q.flow}; flows are ${flows.map((f) => f.id).join(', ')}` } };
  const version = q.version ?? (deps.flows.has(flowId) ? deps.flows.current(flowId).version : entry.versions.at(-1)!);
  if (!entry.versions.includes(version)) return { ok: false, error: { status: 404, code: 'notFound', message: `flow ${flowId} has no version ${version}; versions are ${entry.versions.join(', ')}` } };

  const rows = await deps.funnelCounters.read(flowId, version, q.from, q.to);
  const sums = new Map<string, FunnelCounts>();
  for (const r of rows) addCounts(sums.get(r.stepId) ?? sums.set(r.stepId, zeroCounts()).get(r.stepId)!, r);
  // The flow's questions in its own order (zeros where nothing was counted), then any counted step it no longer has.
  const flow = deps.flows.version(flowId, version);
  const order = flow ? flow.steps.filter((s) => s.kind === 'ask' || s.kind === 'summary').map((s) => s.id) : [];
  for (const id of sums.keys()) if (!order.includes(id)) order.push(id);
  const label = (stepId: string) => {
    const step = flow?.stepsById.get(stepId);
    const key = step && 'label' in step && step.label ? step.label : `${flowId}:${stepId}.label`;
    return deps.translator.has(q.lang, key) ? deps.translator.t(q.lang, key) : stepId;
  };
  const steps = order.map((stepId) => {
    const { durations, ...s } = sums.get(stepId) ?? zeroCounts();
    return { stepId, ...s, label: label(stepId), medianMs: medianMs(durations) };
  });
  return { ok: true, value: { flows, flow: flowId, version, from: q.from, to: q.to, steps } };
}

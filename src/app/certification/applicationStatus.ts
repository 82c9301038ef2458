import { statusView } from '../../domain/certification/statusView.ts';
import type { AnswerValue, Translator } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { CertificationDeps } from './deps.ts';

type Locale = 'zh-CN' | 'en';

/** `certification.status` ("进度"): registration, then each application: stage, dated timeline, next step, to-do. */
export function applicationStatus(deps: CertificationDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const locale: Locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
    const t = (key: string, p?: Record<string, unknown>) => deps.translator.t(locale, key, p);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false };
    const today = chinaDate(ctx.now);
    const blocks = [t('certification:status.registered', { date: chinaDate(worker.registeredAt) })];
    const apps = (await deps.applications.listByWorker(worker.id)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (apps.length === 0) blocks.push(t('certification:status.noApplications'));
    for (const app of apps.slice(0, 5)) {
      const policy = deps.policies.get(app.policyId);
      if (!policy) continue;
      blocks.push(renderStatus(deps.translator, locale, statusView(app, policy, today, locale), policy.name[locale], policy.pipeline.testPassMark));
    }
    return { registered: true, text: blocks.join('\n\n') };
  };
}

function renderStatus(translator: Translator, locale: Locale, v: ReturnType<typeof statusView>, policyName: string, passMark: number): string {
  const t = (key: string, p?: Record<string, unknown>) => translator.t(locale, key, p);
  const lines = [
    t('certification:status.header', { level: v.level.name, policy: policyName }),
    t('certification:status.current', { stage: v.currentStage.name, status: t(`certification:status.statuses.${v.status}`) }),
  ];
  if (v.returnNote) lines.push(`  ${v.returnNote}`);
  if (v.timeline.length) {
    lines.push(t('certification:status.timeline'));
    for (const e of v.timeline) {
      const what = e.number ?? [e.stageName ?? '', e.score !== undefined ? `${e.score}` : '', e.rate !== undefined ? `${(e.rate * 100).toFixed(1)}%` : '', e.note ?? ''].filter(Boolean).join(' · ');
      const action = t(`certification:status.actions.${e.action}`);
      lines.push(what ? t('certification:status.lineWith', { date: e.date, action, what }) : t('certification:status.line', { date: e.date, what: action }));
    }
  }
  if (v.noticeEndsOn && v.status === 'open') lines.push(t('certification:status.noticeEnds', { date: v.noticeEndsOn }));
  if (v.next?.stageName && v.next.expectedBy) lines.push(t('certification:status.next', { stage: v.next.stageName, by: v.next.expectedBy }));
  if (v.todo && v.status === 'open') lines.push(t('certification:status.todo', { todo: t(v.todo, { by: v.next?.expectedBy ?? '', passMark, next: v.next?.stageName ?? '' }) }));
  return lines.join('\n');
}

import { effectiveStatus } from '../../domain/certification/annual.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { CertificationDeps } from './deps.ts';

/** `certification.certificates` ("我的证书"): each certificate with its status, validity and verification link. */
export function myCertificates(deps: CertificationDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
    const t = (key: string, p?: Record<string, unknown>) => deps.translator.t(locale, key, p);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false };
    const today = chinaDate(ctx.now);
    const certs = await deps.certificates.listByWorker(worker.id);
    if (certs.length === 0) return { registered: true, count: 0, text: t('certification:certificates.none') };
    const text = certs
      .map((c) => {
        const policy = deps.policies.get(c.policyId);
        return t('certification:certificates.line', {
          level: policy?.levels.find((l) => l.id === c.level)?.name[locale] ?? c.level,
          number: c.number,
          status: t(`certification:certificates.statuses.${effectiveStatus(c, today)}`),
          issuedOn: c.issuedOn,
          validUntil: c.validUntil,
          scope: t(`certification:certificates.scopes.${c.scope}`),
          url: `${deps.publicBaseUrl}/verify/${encodeURIComponent(c.number)}`,
        });
      })
      .join('\n\n');
    return { registered: true, count: certs.length, text };
  };
}

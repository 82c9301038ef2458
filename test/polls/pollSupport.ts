import type { Application } from '../../src/domain/certification/types.ts';
import type { AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

/** Helpers shared by the poll tests: a Pinghu application at its 满意度调查 stage, a poll on it, chat answers. */
export async function pinghuApplication(r: AdminApiApp, over: Partial<Application> = {}): Promise<{ app: Application; workerUserId: string }> {
  const worker = await r.worker({}, { name: '平湖某某科技有限公司', type: 'enterprise', sizeClass: 'aboveDesignatedSize', regionCode: '330482001', employees: 40, uscc: null });
  const app = await r.seed({ policyId: 'pinghu', regionCode: '330482001', level: 'intermediate', stage: 'satisfactionSurvey', workerId: worker.id, userId: worker.userId, channel: 'sim', testScore: 80, ...over });
  return { app, workerUserId: worker.userId };
}

export async function createPoll(r: AdminApiApp, token: string, applicationId: string, groups = { owner: 1, member: 6, employee: 8 }, extra: Record<string, unknown> = {}) {
  const res = await r.api('POST', '/polls', token, { subject: { applicationId }, groups, closesAt: '2026-03-20T00:00:00Z', ...extra });
  if (res.status !== 201) throw new Error(`poll not created: ${res.status} ${res.raw}`);
  const codes = await r.api('GET', `/polls/${res.body.id}/codes`, token);
  return { id: res.body.id as string, codes: codes.body.codes as { group: string; code: string; url: string }[] };
}

export const text = (replies: { text: string }[]) => replies.map((x) => x.text).join('\n');
export const say = async (r: AdminApiApp, userId: string, t: string) => text(await simSay(r.app.url, userId, t));

/** Answers a whole poll in the chat: overall, the dimension, the comment; returns the final reply. */
export async function answerInChat(r: AdminApiApp, userId: string, code: string, overall: string, comment = '跳过'): Promise<string> {
  await say(r, userId, `测评 ${code}`);
  await say(r, userId, overall);
  await say(r, userId, overall);
  await say(r, userId, comment);
  return say(r, userId, '提交');
}

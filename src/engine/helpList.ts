import type { Turn } from './turn.ts';

const CJK = /[\u4e00-\u9fff]/;

/**
 * The idle help: one line per flow a word starts (its first trigger in the user's language, and its `helpLine`
 * or else its title), so a new flow is listed the day it is added.
 */
export function helpList(turn: Turn): string {
  const chinese = turn.state.locale.startsWith('zh');
  const lines: string[] = [];
  for (const id of turn.flows.ids()) {
    const flow = turn.flows.current(id);
    const word = flow.triggers.find((w) => CJK.test(w) === chinese) ?? flow.triggers[0];
    if (word === undefined) continue;
    const what = turn.hasTemplate(`${id}:helpLine`) ? turn.t(`${id}:helpLine`) : turn.hasTemplate(`${id}:title`) ? turn.t(`${id}:title`) : '';
    lines.push(chinese ? `· “${word}”${what ? `：${what}` : ''}` : `· "${word}"${what ? `: ${what}` : ''}`);
  }
  return turn.t('common:helpIdle', { flows: lines.join('\n') });
}

import { normalizeCommandText } from '../commands.ts';
import type { InputHandler } from './types.ts';
import { reject } from './types.ts';

const YES = new Set(['是', '是的', '对', '对的', '正确', '好', '好的', '确认', '确定', '没错', '嗯', 'y', 'yes', 'ok', 'true', '1'].map(normalizeCommandText));
const NO = new Set(['否', '不是', '不对', '不', '错', '错误', '不正确', 'n', 'no', 'false', '2'].map(normalizeCommandText));

type Spec = { type: 'yesno' };

export const yesNoInput: InputHandler<Spec> = {
  parse(_spec, input, ctx) {
    const raw = input.type === 'choice' ? input.choiceId : input.type === 'text' ? input.text : '';
    const t = normalizeCommandText(raw);
    if (YES.has(t)) return { kind: 'accept', value: true };
    if (NO.has(t)) return { kind: 'accept', value: false };
    return { ...reject(ctx, 'yesno', 'notYesNo'), choices: yesNoInput.choices!(_spec, ctx) };
  },
  choices: (_spec, ctx) => [
    { id: 'yes', label: ctx.translator.t(ctx.locale, 'common:yes') },
    { id: 'no', label: ctx.translator.t(ctx.locale, 'common:no') },
  ],
  format: (_spec, value, ctx) => ctx.translator.t(ctx.locale, value ? 'common:yes' : 'common:no'),
};

import type { InputHandler } from './types.ts';
import { reject } from './types.ts';

type Spec = { type: 'image'; optional: boolean };

/** Images are kept as media references (the channel stores the bytes); the answer is `{ mediaRef }`. */
export const imageInput: InputHandler<Spec> = {
  parse(_spec, input, ctx) {
    if (input.type !== 'image') return reject(ctx, 'image', ctx.capabilities.images ? 'notImage' : 'unsupported');
    return { kind: 'accept', value: { mediaRef: input.mediaRef } };
  },
  format: (_spec, _value, ctx) => ctx.translator.t(ctx.locale, 'inputs:image.received'),
};

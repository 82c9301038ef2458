import { describe, expect, it } from 'vitest';
import { renderReplies, inlineKeyboard, MAX_TEXT } from '../../../src/channels/telegram/render.ts';
import { commandToText, parseUpdate, updateSchema } from '../../../src/channels/telegram/updates.ts';
import { classify } from '../../../src/channels/telegram/outbound.ts';
import { maskChatId } from '../../../src/channels/telegram/mask.ts';
import { KeyedQueue } from '../../../src/channels/telegram/keyedQueue.ts';
import { NetworkError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { callbackUpdate, textUpdate } from './updates.ts';

describe('commandToText', () => {
  it.each([
    ['/start', '菜单'],
    ['/start@redcollar_bot', '菜单'],
    ['  /start  ', '菜单'],
    ['/start poll_42', 'poll_42'],
    ['/start@redcollar_bot poll_42', 'poll_42'],
    ['/START abc', 'abc'],
    ['/help', '/help'],
    ['/help@redcollar_bot', '/help'],
    ['/cancel now', '/cancel now'],
    ['张三', '张三'],
    ['/ 不是命令', '/ 不是命令'],
    ['a /start', 'a /start'],
  ])('%j → %j', (text, expected) => {
    expect(commandToText(text)).toBe(expected);
  });
});

describe('parseUpdate', () => {
  const parse = (u: unknown) => parseUpdate(updateSchema.parse(u));

  it('text message → text input; messageId is chat:message_id', () => {
    expect(parse(textUpdate(42, '你好', { messageId: 7 }))).toEqual({
      chatId: '42',
      inbound: { channel: 'telegram', userId: '42', messageId: '42:7', input: { type: 'text', text: '你好' } },
    });
  });

  it('callback query → choice input with the callback data, and the query to answer', () => {
    expect(parse(callbackUpdate(42, 'register', { queryId: 'abc' }))).toEqual({
      chatId: '42',
      callbackQueryId: 'abc',
      inbound: { channel: 'telegram', userId: '42', messageId: 'cb:abc', input: { type: 'choice', choiceId: 'register' } },
    });
  });

  it('a long-id button comes back as its label', () => {
    const keyboard = inlineKeyboard([{ id: 'x'.repeat(80), label: '很长的选项' }]);
    const data = keyboard.inline_keyboard[0]![0]!.callback_data!;
    expect(data).toBe('~label:0');
    expect(parse(callbackUpdate(42, data, { queryId: 'q', keyboard }))?.inbound?.input).toEqual({ type: 'text', text: '很长的选项' });
  });

  it('photo → image input with the largest size; caption-only and sticker messages', () => {
    const u = textUpdate(42, 'x') as { message: Record<string, unknown> };
    delete u.message.text;
    u.message.photo = [{ file_id: 'small', width: 90 }, { file_id: 'big', width: 800 }];
    expect(parse(u)?.inbound?.input).toEqual({ type: 'image', mediaRef: 'telegram:big' });
    delete u.message.photo;
    u.message.sticker = { file_id: 's' };
    expect(parse(u)).toEqual({ chatId: '42' });
  });

  it('ignores groups, bots, edits and other update kinds', () => {
    expect(parse(textUpdate(-100, 'x', { chatType: 'group' }))).toBeNull();
    const fromBot = textUpdate(42, 'x') as { message: { from: { is_bot: boolean } } };
    fromBot.message.from.is_bot = true;
    expect(parse(fromBot)).toBeNull();
    expect(parse({ update_id: 1, edited_message: textUpdate(42, 'x').message })).toBeNull();
  });

  it('rejects shapes that are not updates', () => {
    for (const bad of [{}, { update_id: -1 }, { update_id: 1.5 }, { update_id: 1, message: { text: 'x' } }, { update_id: 1, callback_query: { id: '', from: { id: 1 } } }]) {
      expect(updateSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('renderReplies', () => {
  it('joins text-only replies onto the next message; a message with choices closes a group', () => {
    const out = renderReplies([{ text: 'a' }, { text: 'b', choices: [{ id: '1', label: '一' }] }, { text: 'c' }, { text: 'd' }]);
    expect(out).toEqual([{ text: 'a\n\nb', reply_markup: { inline_keyboard: [[{ text: '一', callback_data: '1' }]] } }, { text: 'c\n\nd' }]);
  });

  it('splits text over 4096 characters at a line break, keyboard under the last piece', () => {
    const long = `${'甲'.repeat(3000)}\n${'乙'.repeat(3000)}`;
    const out = renderReplies([{ text: long, choices: [{ id: 'y', label: '是' }] }]);
    expect(out).toHaveLength(2);
    expect(out.every((m) => m.text.length <= MAX_TEXT)).toBe(true);
    expect(out[0]!.reply_markup).toBeUndefined();
    expect(out[1]!.reply_markup).toBeDefined();
    expect(out.map((m) => m.text).join('\n')).toBe(long);
    const noBreaks = renderReplies([{ text: 'x'.repeat(10_000) }]);
    expect(noBreaks.map((m) => m.text.length)).toEqual([4096, 4096, 1808]);
  });

  it('lays short labels three to a row and long ones one to a row', () => {
    expect(inlineKeyboard(['一', '二', '三', '四'].map((l, i) => ({ id: String(i), label: l }))).inline_keyboard.map((r) => r.length)).toEqual([3, 1]);
    expect(inlineKeyboard([{ id: 'a', label: '中共南京市玄武区委员会组织部' }, { id: 'b', label: '否' }]).inline_keyboard.map((r) => r.length)).toEqual([1, 1]);
  });
});

describe('classify', () => {
  it.each([
    [new TelegramApiError(403, 'Forbidden: bot was blocked by the user'), { unreachable: true, ourFault: false }],
    [new TelegramApiError(403, 'Forbidden: user is deactivated'), { unreachable: true, ourFault: false }],
    [new TelegramApiError(400, 'Bad Request: chat not found'), { unreachable: true, ourFault: false }],
    [new TelegramApiError(400, 'Bad Request: message text is empty'), { unreachable: false, ourFault: true }],
    [new TelegramApiError(401, 'Unauthorized'), { unreachable: false, ourFault: true }],
    [new TelegramApiError(429, 'Too Many Requests', { retry_after: 5 }), { unreachable: false, ourFault: false }],
    [new TelegramApiError(502, 'Bad Gateway'), { unreachable: false, ourFault: false }],
    [new NetworkError('ECONNRESET'), { unreachable: false, ourFault: false }],
    [new TimeoutError(), { unreachable: false, ourFault: false }],
  ])('%s', (err, expected) => {
    expect(classify(err)).toMatchObject(expected);
  });
});

describe('small parts', () => {
  it('masks chat ids', () => {
    expect(maskChatId('123456789')).toBe('12*****89');
    expect(maskChatId(-1001234567890)).toBe('-1**********90');
    expect(maskChatId('123')).toBe('***');
  });

  it('KeyedQueue runs one key in order, keys side by side, and refuses past its bound', async () => {
    const q = new KeyedQueue(3, () => {});
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
    };
    expect(q.push('a', task('a1', 30))).toBe(true);
    expect(q.push('a', task('a2', 1))).toBe(true);
    expect(q.push('b', task('b1', 1))).toBe(true);
    expect(q.push('c', task('c1', 1))).toBe(false);
    await q.idle();
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(q.pending).toBe(0);
    // An error in one task is reported and does not stop the key's next task.
    const errors: unknown[] = [];
    const q2 = new KeyedQueue(10, (err) => errors.push(err));
    q2.push('a', async () => {
      throw new Error('boom');
    });
    let ran = false;
    q2.push('a', async () => {
      ran = true;
    });
    await q2.idle();
    expect(errors).toHaveLength(1);
    expect(ran).toBe(true);
  });
});

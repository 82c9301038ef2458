/** Telegram updates as the Bot API delivers them to a webhook (only the fields that matter here). */
let nextUpdateId = 500_000;
let nextMessageId = 1;
let nextQueryId = 1;

export function textUpdate(chatId: number, text: string, opts: { updateId?: number; messageId?: number; chatType?: string } = {}) {
  return {
    update_id: opts.updateId ?? nextUpdateId++,
    message: {
      message_id: opts.messageId ?? nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: opts.chatType ?? 'private', first_name: 'Test' },
      from: { id: chatId, is_bot: false, first_name: 'Test', language_code: 'zh-hans' },
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
    },
  };
}

export function callbackUpdate(chatId: number, data: string, opts: { updateId?: number; queryId?: string; keyboard?: unknown } = {}) {
  return {
    update_id: opts.updateId ?? nextUpdateId++,
    callback_query: {
      id: opts.queryId ?? `q${nextQueryId++}`,
      from: { id: chatId, is_bot: false, first_name: 'Test' },
      chat_instance: '-42',
      message: {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private' },
        text: '…',
        ...(opts.keyboard ? { reply_markup: opts.keyboard } : {}),
      },
      data,
    },
  };
}

export async function postUpdate(url: string, update: unknown, secret: string | null, init: { raw?: string; contentType?: string } = {}): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/json' };
  if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
  const res = await fetch(`${url}/telegram/webhook`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(update) });
  return { status: res.status, body: await res.text() };
}

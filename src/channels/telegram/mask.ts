/**
 * A chat id in logs: enough to tell two chats apart in one incident, not enough to find the person
 * (Telegram chat ids of private chats are the user ids). `123456789` → `12*****89`.
 */
export function maskChatId(chatId: string | number): string {
  const s = String(chatId);
  if (s.length <= 4) return '*'.repeat(s.length);
  return `${s.slice(0, 2)}${'*'.repeat(s.length - 4)}${s.slice(-2)}`;
}

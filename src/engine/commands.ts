import { normalizeInput } from '../domain/text/normalize.ts';

/**
 * Global commands, understood at every question in Chinese and English. They are matched on the whole message
 * (after normalisation), so a name like "帮助明" is an answer, not a command.
 */
export type GlobalCommand =
  | { kind: 'help' }
  | { kind: 'cancel' }
  | { kind: 'back' }
  | { kind: 'restart' }
  | { kind: 'menu' }
  | { kind: 'status' }
  | { kind: 'edit' }
  | { kind: 'language'; locale: 'zh-CN' | 'en' };

// A Map, not an object literal: the key is whatever the user typed, and "constructor" must not find Object.
const WORDS = new Map<string, GlobalCommand>();
function words(command: GlobalCommand, list: string[]): void {
  for (const w of list) WORDS.set(normalizeCommandText(w), command);
}

/** Lower-case, half-width, trimmed, without trailing punctuation: "  帮助！" and "HELP" match. */
export function normalizeCommandText(text: string): string {
  // Labels and short answers repeat constantly (every choice question compares against every label), so short
  // strings are memoised; the cache is bounded so arbitrary user text cannot grow it without limit.
  if (text.length > 64) return normalizeUncached(text);
  let hit = normalized.get(text);
  if (hit === undefined) {
    if (normalized.size >= 10_000) normalized.clear();
    hit = normalizeUncached(text);
    normalized.set(text, hit);
  }
  return hit;
}
const normalized = new Map<string, string>();

function normalizeUncached(text: string): string {
  return normalizeInput(text)
    .toLowerCase()
    .replace(/^[/／]/, '')
    .replace(/[\s.!?。！？~～]+$/u, '');
}

words({ kind: 'help' }, ['帮助', '求助', 'help', '?', '？']);
words({ kind: 'cancel' }, ['取消', '退出', '不办了', 'cancel', 'quit', 'exit']);
words({ kind: 'back' }, ['返回', '上一步', '上一题', 'back', 'previous']);
words({ kind: 'restart' }, ['重新开始', '重来', 'restart', 'start over']);
words({ kind: 'menu' }, ['菜单', '主菜单', 'menu', 'start']);
words({ kind: 'status' }, ['进度', '查进度', '状态', 'status']);
words({ kind: 'edit' }, ['修改', 'edit']);
words({ kind: 'language', locale: 'zh-CN' }, ['中文', '简体中文', 'chinese', 'zh']);
words({ kind: 'language', locale: 'en' }, ['english', '英文', '英语', 'en']);

export function matchGlobalCommand(text: string): GlobalCommand | null {
  return WORDS.get(normalizeCommandText(text)) ?? null;
}

const SKIP = new Set(['跳过', '略过', '无', 'skip', 'none'].map(normalizeCommandText));
export function isSkip(text: string): boolean {
  return SKIP.has(normalizeCommandText(text));
}

/**
 * The words that submit a summary (a flow's or a poll's). Typed when nothing is in progress they submit nothing;
 * the idle reply says so instead of "did not understand" (after a poll's 提交, a second 提交 has no poll in it).
 */
const SUBMIT = new Set(['提交', '确认提交', '确认', 'submit', 'confirm'].map(normalizeCommandText));
export function isSubmitWord(text: string): boolean {
  return SUBMIT.has(normalizeCommandText(text));
}

const KEEP = new Set(['保留', '保持', '不变', 'keep', 'same'].map(normalizeCommandText));
export function isKeep(text: string): boolean {
  return KEEP.has(normalizeCommandText(text));
}

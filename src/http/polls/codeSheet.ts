import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import QRCode from 'qrcode';
import type { PollGroup } from '../../domain/polls/types.ts';
import { esc } from './escape.ts';

type CodeRow = { group: PollGroup; code: string; url: string; wechatQrUrl?: string };

/** The CSV's words in one language: the four headers and the groups' names. */
export interface CodesFileWords {
  group: string;
  code: string;
  url: string;
  groupId: string;
  groups: Record<PollGroup, string>;
}

/** The printable sheet's words in one language (templates polls:codeSheet); `hint` and `title` already hold their parameters' slots. */
export interface CodeSheetWords {
  lang: string;
  /** The page's title, with the poll's id. */
  title: (pollId: string) => string;
  cardTitle: string;
  /** The respondent's hint naming the chat command in the sheet's language (`测评 <code>` / `poll <code>`). */
  hint: (code: string) => string;
  groups: Record<PollGroup, string>;
}

/**
 * The codes as CSV (UTF-8 BOM so Excel reads the Chinese): headers and group names in the admin's language, and
 * the same four columns in the same order in every language, the last one the group's stable id (owner, member,
 * employee), so that a script reads the file by position whatever language it was downloaded in.
 */
export function codesCsv(codes: readonly CodeRow[], words: CodesFileWords): string {
  return '\uFEFF' + stringify([[words.group, words.code, words.url, words.groupId], ...codes.map((c) => [words.groups[c.group], c.code, c.url, c.group])]);
}

/**
 * The one script a sheet may carry: opened to be printed (the console's 打印卡片), it opens the browser's print
 * dialog once loaded. The route's CSP allows exactly this script by its hash (PRINT_SCRIPT_CSP) and no other.
 */
const PRINT_ON_LOAD = "addEventListener('load',()=>print())";
export const PRINT_SCRIPT_CSP = `'sha256-${createHash('sha256').update(PRINT_ON_LOAD, 'utf8').digest('base64')}'`;

/**
 * A printable A4 sheet of cards, 2 × 5 a page: each with the group, the code, its link and a QR code of the link
 * (the Official Account's temporary QR code when that channel is on, else the web page). Inline styles only, and
 * no script but PRINT_ON_LOAD when `printOnLoad`.
 */
export async function codesHtml(pollId: string, codes: readonly CodeRow[], words: CodeSheetWords, opts: { printOnLoad?: boolean } = {}): Promise<string> {
  const cards = await Promise.all(
    codes.map(async (c) => {
      // The account's QR code where there is one (WeChat follows the account and opens the poll), else the web link.
      const svg = await QRCode.toString(c.wechatQrUrl ?? c.url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return `<div class="card"><div class="qr">${svg}</div><div class="text"><div class="title">${esc(words.cardTitle)}</div><div class="group">${esc(words.groups[c.group])}</div><div class="code">${esc(c.code)}</div><div class="hint">${esc(words.hint(c.code))}</div><div class="url">${esc(c.url)}</div></div></div>`;
    }),
  );
  return `<!doctype html><html lang="${esc(words.lang)}"><head><meta charset="utf-8"><title>${esc(words.title(pollId))}</title><style>
@page { size: A4; margin: 10mm; }
body { font-family: sans-serif; margin: 0; }
.sheet { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.card { border: 1px dashed #888; height: 51mm; display: flex; gap: 3mm; padding: 3mm; box-sizing: border-box; break-inside: avoid; }
.qr svg { width: 40mm; height: 40mm; }
.title { font-weight: bold; } .code { font: bold 16pt monospace; letter-spacing: 1px; margin: 2mm 0; }
.hint, .url { font-size: 8pt; color: #333; word-break: break-all; }
</style></head><body><div class="sheet">${cards.join('')}</div>${opts.printOnLoad ? `<script>${PRINT_ON_LOAD}</script>` : ''}</body></html>`;
}

/** Formatting shared by the pages: dates in China time, localized names, durations, counts. */
import type { Localized } from '../api/types.ts';

export type Locale = 'zh-CN' | 'en';

/** A name the API gives either localized ({ 'zh-CN', en }) or as one string; falls back to `fallback`. */
export function localized(value: Localized | string | null | undefined, locale: Locale, fallback = ''): string {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return value || fallback;
  return value[locale] || value['zh-CN'] || value.en || fallback;
}

const CHINA = 'Asia/Shanghai';

/** 2026-03-01 14:05 in China time (what every admin reads, wherever the browser is). */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: CHINA, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  // A calendar date (2026-03-01) is already what it says; only instants are converted.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  return dateTime(iso).slice(0, 10);
}

/** A median step time: 850 ms, 12 s, 3 min 5 s, 2 h 10 min; null (no answers yet) is a dash. */
export function duration(ms: number | null | undefined, locale: Locale): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const zh = locale === 'zh-CN';
  if (ms < 1000) return `${Math.round(ms)} ${zh ? '毫秒' : 'ms'}`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} ${zh ? '秒' : 's'}`;
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m} 分 ${s % 60} 秒` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return zh ? `${h} 小时 ${m % 60} 分` : `${h} h ${m % 60} min`;
}

/** Share of `part` in `whole` as a whole percentage; a dash when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  if (!whole) return '—';
  return `${Math.round((part / whole) * 100)}%`;
}

/** A 0..1 rate as the API stores it, shown as a percentage. */
export function rate(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${Math.round(value * 1000) / 10}%`;
}

/** Name of a history event's actor, whatever shape the API used. */
export function actorName(by: unknown): string {
  if (!by) return '—';
  if (typeof by === 'string') return by;
  if (typeof by === 'object') {
    const o = by as { name?: unknown; id?: unknown; kind?: unknown };
    if (typeof o.name === 'string' && o.name) return o.name;
    if (typeof o.id === 'string' && o.id) return o.id;
    if (typeof o.kind === 'string') return o.kind;
  }
  return '—';
}

/** Today's date in China (YYYY-MM-DD), and `days` before it: the funnels' default range is the last 30 days. */
export function chinaDay(now: Date, daysBefore = 0): string {
  const d = new Date(now.getTime() - daysBefore * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: CHINA, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** A China calendar day as the instant it starts (or, with `end`, its last millisecond), for time-range filters. */
export function chinaDayBound(day: string, end = false): string {
  return `${day}T${end ? '23:59:59.999' : '00:00:00.000'}+08:00`;
}

/** An id the console has no name for, spelled out rather than shown raw: `yearsInRole` → `Years in role`. */
export function spelledOut(id: string): string {
  const words = id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

/** `text (inner)` with the brackets of the page's language: full-width in Chinese, ASCII with a space in English. */
export function bracketed(text: string, inner: string, locale: Locale): string {
  return locale === 'zh-CN' ? `${text}（${inner}）` : `${text} (${inner})`;
}

/**
 * The dashboard's waiting-time bucket (`0-3d`, `>30d`, as the API names them) in the page's language. A bucket of
 * another shape stays as the API sent it.
 */
export function waitingBucket(bucket: string, locale: Locale): string {
  const zh = locale === 'zh-CN';
  const range = /^(\d+)-(\d+)d$/.exec(bucket);
  if (range) return zh ? `${range[1]}–${range[2]} 天` : `${range[1]}–${range[2]} days`;
  const over = /^>(\d+)d$/.exec(bucket);
  if (over) return zh ? `${over[1]} 天以上` : `over ${over[1]} days`;
  return bucket;
}

/**
 * A stage or level name in the page's language: the catalog's (which has both languages) when it knows the id,
 * else the name the API sent with the figures (Chinese), else the id.
 */
export function preferredName(catalogName: string, id: string, serverName?: string | null): string {
  return catalogName !== id ? catalogName : serverName || id;
}

/**
 * The queue's filters, as the URL holds them (so a link or a reload shows the same list) and as a saved filter
 * stores them: only the API's own filter names, with empty values left out.
 */
export const FILTER_KEYS = ['name', 'status', 'stage', 'level', 'region'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type QueueFilters = Partial<Record<FilterKey, string>>;

export function filtersFrom(query: Record<string, unknown>): QueueFilters {
  const out: QueueFilters = {};
  for (const key of FILTER_KEYS) {
    const v = query[key];
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string' && value.trim()) out[key] = value.trim();
  }
  return out;
}

/** Cursor-paged lists: the stack of cursors that led to the page shown, so "previous" goes back without offsets. */
export function createCursorPager() {
  const stack: (string | undefined)[] = [undefined];
  return {
    get current(): string | undefined {
      return stack[stack.length - 1];
    },
    get page(): number {
      return stack.length;
    },
    next(cursor: string) {
      stack.push(cursor);
    },
    previous(): boolean {
      if (stack.length <= 1) return false;
      stack.pop();
      return true;
    },
    reset() {
      stack.length = 1;
    },
  };
}

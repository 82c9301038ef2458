/**
 * The loading / failed / loaded state of one API read, as every panel shows it: `load()` runs `fetch` again,
 * keeps the last good data while it runs, and turns a failure into the API's message.
 */
import { ref, shallowRef, type Ref } from 'vue';
import { createCursorPager } from './queueFilters.ts';

export interface Loader<T> {
  data: Ref<T | null>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  load(): Promise<T | null>;
}

/** `startLoading`: the panel loads as soon as it is shown (say so from the start, not 'empty' first). */
export function useLoader<T>(fetch: () => Promise<T>, options: { startLoading?: boolean } = {}): Loader<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(options.startLoading ?? true);
  const error = ref<string | null>(null);
  let latest = 0;
  async function load(): Promise<T | null> {
    const call = ++latest;
    loading.value = true;
    error.value = null;
    try {
      const value = await fetch();
      // An older request answering last must not overwrite a newer one (filters changed meanwhile).
      if (call === latest) data.value = value;
      return value;
    } catch (e) {
      if (call === latest) error.value = (e as Error).message;
      return null;
    } finally {
      if (call === latest) loading.value = false;
    }
  }
  return { data, loading, error, load };
}

/** A keyset-paged list (queue, certificates, audit): the page shown, and forward/back by the API's cursors. */
export function usePagedList<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null; total?: number }>, options: { startLoading?: boolean } = {}) {
  const pager = createCursorPager();
  const page = ref(1);
  const next = ref<string | null>(null);
  const total = ref<number | undefined>();
  const loader = useLoader(async () => {
    const r = await fetchPage(pager.current);
    next.value = r.next;
    total.value = r.total;
    page.value = pager.page;
    return r.items;
  }, options);
  return {
    ...loader,
    page,
    next,
    total,
    /** From the first page again (new filters). */
    reload() {
      pager.reset();
      return loader.load();
    },
    forward() {
      if (!next.value) return;
      pager.next(next.value);
      void loader.load();
    },
    back() {
      if (pager.previous()) void loader.load();
    },
  };
}

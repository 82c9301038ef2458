import { describe, expect, it } from 'vitest';
import { createCursorPager, filtersFrom } from '../../console/src/logic/queueFilters.ts';

describe('queue filters and keyset paging', () => {
  it('reads only the API filter names from the URL, trimmed, empty ones left out', () => {
    expect(filtersFrom({ status: 'open', stage: ' ', level: ['intermediate', 'x'], region: ' 3201 ', other: 'x' })).toEqual({ status: 'open', level: 'intermediate', region: '3201' });
    expect(filtersFrom({ name: ' 周明查 ', status: 'open' })).toEqual({ name: '周明查', status: 'open' });
  });

  it('goes forward by cursor and back by the cursors it came through', () => {
    const pager = createCursorPager();
    expect(pager.current).toBeUndefined();
    pager.next('c1');
    pager.next('c2');
    expect([pager.page, pager.current]).toEqual([3, 'c2']);
    expect(pager.previous()).toBe(true);
    expect(pager.current).toBe('c1');
    pager.previous();
    expect(pager.previous()).toBe(false);
    expect(pager.current).toBeUndefined();
    pager.next('c9');
    pager.reset();
    expect(pager.page).toBe(1);
  });
});

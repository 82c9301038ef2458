import { afterAll } from 'vitest';

/**
 * What a test file opens (fakes, databases, servers, extra app instances), closed after all its tests in the
 * reverse order of opening: the last opened may use the ones before it. Pushed as they are opened, so a beforeAll
 * that fails half way leaves nothing unopened to close.
 */
export function closeAfterAll(): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });
  return closers;
}

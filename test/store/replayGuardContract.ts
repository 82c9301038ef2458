import { describe, expect, it } from 'vitest';
import type { ReplayGuard } from '../../src/app/ports/replayGuard.ts';

const now = new Date('2026-03-01T02:00:00Z');
const later = new Date(now.getTime() + 600_000);

/** A (scope, timestamp, nonce) pair is good for one message: the same digest again passes, another is refused. */
export function replayGuardContract(name: string, make: () => Promise<ReplayGuard>): void {
  describe(`ReplayGuard contract: ${name}`, () => {
    it('tells the first use of a pair, the same request again, and the pair reused with another digest apart', async () => {
      const guard = await make();
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n1', 'digest-a', later)).toBe('first');
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n1', 'digest-a', later)).toBe('again');
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n1', 'digest-b', later)).toBe('reused');
      // Still the first digest that counts.
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n1', 'digest-a', later)).toBe('again');
    });

    it('keeps scopes, timestamps and nonces apart', async () => {
      const guard = await make();
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n2', 'd', later)).toBe('first');
      expect(await guard.claim('wechat-mp:wx1', '1772330400', 'n2', 'other', later)).toBe('first');
      expect(await guard.claim('wechat-oa:wx2', '1772330400', 'n2', 'other', later)).toBe('first');
      expect(await guard.claim('wechat-oa:wx1', '1772330401', 'n2', 'other', later)).toBe('first');
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'n3', 'other', later)).toBe('first');
    });

    it('lets exactly one of many concurrent claims of one pair be the first', async () => {
      const guard = await make();
      const verdicts = await Promise.all(Array.from({ length: 12 }, (_, i) => guard.claim('wechat-oa:wx1', '1772330400', 'race', `digest-${i}`, later)));
      expect(verdicts.filter((v) => v === 'first')).toHaveLength(1);
      expect(verdicts.filter((v) => v === 'reused')).toHaveLength(11);
    });

    it('forgets expired pairs when purged, and only those', async () => {
      const guard = await make();
      await guard.claim('wechat-oa:wx1', '1772330400', 'old', 'd', new Date(now.getTime() - 1000));
      await guard.claim('wechat-oa:wx1', '1772330400', 'fresh', 'd', later);
      expect(await guard.purgeExpired(now)).toBeGreaterThanOrEqual(1);
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'old', 'another', later)).toBe('first');
      expect(await guard.claim('wechat-oa:wx1', '1772330400', 'fresh', 'another', later)).toBe('reused');
    });
  });
}

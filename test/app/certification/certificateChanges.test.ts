/** Certificate changes pushed to the holder: a failed or passed 年检, and expiry (a month before, and on the day). */
import { describe, expect, it } from 'vitest';
import { recordInspection } from '../../../src/app/certification/annualRecords.ts';
import { certificateNoticeSweep } from '../../../src/app/certification/certificateNotices.ts';
import { notifyCertificateChange } from '../../../src/app/certification/notifyCertificateChange.ts';
import type { Certificate } from '../../../src/domain/certification/types.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';
import { TestClock } from '../../support/testClock.ts';

const NANJING = adminOf('320100', '南京市两新工委');
const DAY = 86_400_000;

function setup(clock?: TestClock) {
  const m = memoryCertificationDeps(clock ? { clock } : {});
  const issue = (over: Partial<Omit<Certificate, 'number'>>, number: string) =>
    m.deps.certificates.issue(sampleCertificateInput({ applicationId: `app-${number}`, level: 'intermediate', issuedOn: '2026-01-10', ...over }), 2026, () => number);
  return { ...m, issue };
}

describe('年检 changes reach the holder', () => {
  it('regression: a suspension after a failed 年检 was not pushed to the holder, nor its lifting', async () => {
    const t = setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    await recordInspection(t.deps, NANJING, 'N1', { year: 2025, passed: false, note: '未按期述职' });
    expect(t.pushes).toEqual([
      {
        channel: 'sim',
        userId: 'u1',
        text: '您的「中级」资格证书（编号 N1）因年检未通过已暂停，原因：未按期述职。暂停期间证书和红领津贴停发，通过下一次年检后恢复。如有疑问请联系所在地两新工委。',
      },
    ]);
    await recordInspection(t.deps, NANJING, 'N1', { year: 2026, passed: true });
    expect(t.pushes.at(-1)?.text).toBe('您的「中级」资格证书（编号 N1）已恢复有效。回复“我的证书”查看。');
    // A pass of a valid certificate changes nothing, and says nothing.
    await recordInspection(t.deps, NANJING, 'N1', { year: 2027, passed: true });
    expect(t.pushes).toHaveLength(2);
  });

  it('regression: a revocation was visible only on the verify page (Pinghu revokes on a failed 年检), in the holder’s language', async () => {
    const t = setup();
    const worker = await t.worker('p1', { region: '330482' });
    await t.deps.workers.setLocale('sim', 'p1', 'en');
    await t.issue({ workerId: worker.id, policyId: 'pinghu', level: 'junior', regionCode: '330482', scope: 'county', scopeRegionCode: '330482' }, 'P1');
    const r = await recordInspection(t.deps, adminOf('330482'), 'P1', { year: 2026, passed: false });
    expect(r.ok).toBe(true);
    expect((await t.deps.certificates.get('P1'))!.status).toBe('revoked');
    expect(t.pushes).toHaveLength(1);
    expect(t.pushes[0]).toMatchObject({ userId: 'p1', text: expect.stringMatching(/^Your "Junior" certificate \(number P1\) is revoked because it failed the annual inspection\. /) });
  });

  it('tells nobody when the holder is unknown, and says the push failed', async () => {
    const t = setup();
    const cert = await t.issue({ workerId: 'ghost' }, 'G1');
    expect(await notifyCertificateChange(t.deps, cert, 'revoked', 'x')).toBe(false);
    expect(t.pushes).toEqual([]);
  });
});

describe('expiry notices', () => {
  it('regression: a certificate expiring was never pushed; the expiry goes out once, and the month before is left to the certificateExpiring reminder', async () => {
    const clock = new TestClock(new Date('2029-02-20T02:00:00Z'));
    const t = setup(clock);
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id, validUntil: '2029-03-31' }, 'E1');
    const sweep = certificateNoticeSweep(t.deps);

    expect(await sweep()).toEqual({ sent: 0, failed: 0, stale: 0 });
    clock.advance(9 * DAY); // 2029-03-01: 30 days before, the reminder's day
    expect(await sweep()).toEqual({ sent: 0, failed: 0, stale: 0 });
    clock.advance(30 * DAY); // 2029-03-31: the last valid day
    expect(await sweep()).toEqual({ sent: 0, failed: 0, stale: 0 });
    clock.advance(DAY);
    expect(await sweep()).toEqual({ sent: 1, failed: 0, stale: 0 });
    expect(t.pushes.at(-1)?.text).toBe('您的「中级」资格证书（编号 E1）已于 2029-03-31 到期失效。如需继续持证，请回复“申报”重新申报。');
    expect(await sweep()).toEqual({ sent: 0, failed: 0, stale: 0 });
    expect(t.pushes).toHaveLength(1);
    expect((await t.deps.certificates.get('E1'))!.notices).toEqual({ expired: '2029-04-01T02:00:00.000Z' });
  });

  it('retries a notice whose push failed, and does not tell of an expiry long past', async () => {
    const clock = new TestClock(new Date('2029-04-10T02:00:00Z'));
    const t = setup(clock);
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id, validUntil: '2029-03-31' }, 'E1');
    await t.issue({ workerId: worker.id, validUntil: '2027-01-31', applicationId: 'old' }, 'OLD');
    t.senderState.fail = { ok: false, permanent: false, reason: 'window closed' };
    expect(await certificateNoticeSweep(t.deps)()).toEqual({ sent: 0, failed: 1, stale: 1 });
    t.senderState.fail = null;
    expect(await certificateNoticeSweep(t.deps)()).toEqual({ sent: 1, failed: 0, stale: 0 });
    expect(t.pushes.map((p) => p.text)).toEqual([expect.stringContaining('编号 E1')]);
  });
});

/** The public lookup behind /verify/:number, over in-memory stores. */
import { describe, expect, it } from 'vitest';
import { verifyCertificate } from '../../../src/app/certification/verifyCertificate.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

describe('verifyCertificate', () => {
  it('regression: a certificate number typed in lower case was "not found"', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    await m.deps.certificates.issue(sampleCertificateInput({ workerId: worker.id }), 2026, () => '3201002026C00042');
    const verify = verifyCertificate(m.deps);
    const found = await verify('3201002026c00042', '2026-05-01');
    expect(found).toMatchObject({ number: '3201002026C00042', status: 'valid' });
    expect(await verify('3201002026C00042', '2026-05-01')).toEqual(found);
    expect(await verify('3201002026c00043', '2026-05-01')).toBeNull();
  });

  it('still finds a number whose format has lower-case text, typed exactly', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    await m.deps.certificates.issue(sampleCertificateInput({ workerId: worker.id }), 2026, () => 'js-2026-0001');
    expect(await verifyCertificate(m.deps)('js-2026-0001', '2026-05-01')).toMatchObject({ number: 'js-2026-0001' });
  });
});

import { describe, expect, it } from 'vitest';
import { addDays, expiryNoticeDue } from '../../../src/domain/certification/expiryNotice.ts';
import type { Certificate } from '../../../src/domain/certification/types.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';

const cert = (over: Partial<Certificate> = {}): Certificate => ({ ...sampleCertificateInput({ validUntil: '2029-03-31' }), number: 'N1', ...over });

describe('expiryNoticeDue', () => {
  it('is due the day after the last valid day, once', () => {
    expect(expiryNoticeDue(cert(), '2029-03-31')).toBeNull();
    expect(expiryNoticeDue(cert(), '2029-04-01')).toEqual({ notice: 'expired', stale: false });
    expect(expiryNoticeDue(cert({ notices: { expiringSoon: 'x' } }), '2029-04-01')).toEqual({ notice: 'expired', stale: false });
    expect(expiryNoticeDue(cert({ notices: { expiringSoon: 'x', expired: 'y' } }), '2029-04-01')).toBeNull();
  });

  it('regression: holders were told twice a month before expiry (this notice and the certificateExpiring reminder); only the reminder tells it now', () => {
    for (const day of ['2029-03-01', '2029-03-20', '2029-03-31']) expect(expiryNoticeDue(cert(), day)).toBeNull();
  });

  it('tells a suspended holder, never a revoked one, and marks an expiry long past as stale', () => {
    expect(expiryNoticeDue(cert({ status: 'suspended' }), '2029-04-02')).toEqual({ notice: 'expired', stale: false });
    expect(expiryNoticeDue(cert({ status: 'revoked' }), '2029-03-20')).toBeNull();
    expect(expiryNoticeDue(cert(), '2029-04-30')).toEqual({ notice: 'expired', stale: false });
    expect(expiryNoticeDue(cert(), '2029-05-01')).toEqual({ notice: 'expired', stale: true });
  });

  it('adds days across months and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2029-03-01', 30)).toBe('2029-03-31');
    expect(() => addDays('2029-02-30', 1)).toThrow(RangeError);
  });
});

import type { CertificateDetail } from '../api/types.ts';
import { bracketed, date, localized, type Locale } from './format.ts';

/**
 * The facts of the certificate page. The detail answer is the stored certificate (issuedOn, regionName,
 * effectiveStatus) while the search rows say validFrom and status, so the page reads either.
 */
export function certificateFacts(cert: CertificateDetail, locale: Locale): { validFrom: string; region: string; status: string } {
  const region = localized(cert.regionName ?? null, locale, '');
  return {
    validFrom: date(cert.issuedOn ?? cert.validFrom),
    region: region && region !== cert.regionCode ? bracketed(region, cert.regionCode, locale) : cert.regionCode,
    status: cert.effectiveStatus ?? cert.status,
  };
}

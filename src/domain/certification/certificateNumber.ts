/**
 * Certificate numbers and the certificate record an application ends in (docs/domain.md "After certification").
 *
 * The number format is the policy's (`certificate.numberFormat`), e.g. '{region}{year}{level}{seq:05}' →
 * 3201002026Z00042 (a 中级 certificate of Nanjing, 320100). The sequence itself comes from the certificate
 * repository's atomic counter; this module only formats it, and refuses a sequence that does not fit rather than
 * printing a longer number.
 */
import type { Policy } from '../policy/schema.ts';
import { dayNumber, formatYmd, splitYmd } from '../dates/parseDate.ts';
import type { Application, Certificate, LevelId } from './types.ts';

export class CertificateNumberError extends Error {
  override name = 'CertificateNumberError';
}

export interface CertificateNumberParts {
  /** 6-digit region code. */
  region: string;
  year: number;
  /** The level's code, e.g. 'C' (one or two capital letters or digits). */
  levelCode: string;
  /** 1, 2, 3, … from the repository's counter. */
  seq: number;
}

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'region' }
  | { kind: 'year' }
  | { kind: 'level' }
  | { kind: 'seq'; width: number | null };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Split a number format into literal text and placeholders. Throws CertificateNumberError for an unknown
 * placeholder, a stray brace, a placeholder used twice, or a format without exactly one {seq}.
 */
function tokenize(format: string): Token[] {
  const tokens: Token[] = [];
  const seen = new Set<string>();
  let last = 0;
  for (const m of format.matchAll(PLACEHOLDER)) {
    const index = m.index;
    if (index > last) tokens.push(literal(format.slice(last, index), format));
    last = index + m[0].length;
    const body = m[1] ?? '';
    const seq = /^seq(?::(\d{1,2}))?$/.exec(body);
    let token: Token;
    if (seq) {
      const width = seq[1] === undefined ? null : Number(seq[1]);
      if (width === 0) throw new CertificateNumberError(`number format ${JSON.stringify(format)}: {seq:N} needs N ≥ 1`);
      token = { kind: 'seq', width };
    } else if (body === 'region' || body === 'year' || body === 'level') {
      token = { kind: body };
    } else {
      throw new CertificateNumberError(`number format ${JSON.stringify(format)}: unknown placeholder {${body}} (known: {region}, {year}, {level}, {seq:N})`);
    }
    if (seen.has(token.kind)) throw new CertificateNumberError(`number format ${JSON.stringify(format)}: {${token.kind}} appears more than once`);
    seen.add(token.kind);
    tokens.push(token);
  }
  if (last < format.length) tokens.push(literal(format.slice(last), format));
  if (!seen.has('seq')) throw new CertificateNumberError(`number format ${JSON.stringify(format)} has no {seq:N}`);
  return tokens;
}

function literal(text: string, format: string): Token {
  if (text.includes('{') || text.includes('}')) throw new CertificateNumberError(`number format ${JSON.stringify(format)}: unmatched brace in ${JSON.stringify(text)}`);
  return { kind: 'text', text };
}

/** Throws CertificateNumberError when the format cannot be used (for a start-up check of the policies). */
export function assertNumberFormat(format: string): void {
  tokenize(format);
}

/**
 * A certificate number from the policy's format. {seq:N} is zero-padded to N digits; a sequence that needs more
 * than N digits is an error (the region must widen the format), never a longer number. {seq} alone is unpadded.
 */
export function formatCertificateNumber(format: string, parts: CertificateNumberParts): string {
  const tokens = tokenize(format);
  const { region, year, levelCode, seq } = parts;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new CertificateNumberError(`a certificate sequence number is a whole number from 1, got ${seq}`);
  let out = '';
  for (const t of tokens) {
    switch (t.kind) {
      case 'text':
        out += t.text;
        break;
      case 'region':
        if (!/^\d{6}$/.test(region)) throw new CertificateNumberError(`{region} is a 6-digit region code, got ${JSON.stringify(region)}`);
        out += region;
        break;
      case 'year':
        if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new CertificateNumberError(`{year} is a 4-digit year, got ${year}`);
        out += String(year);
        break;
      case 'level':
        if (!/^[A-Z0-9]{1,2}$/.test(levelCode)) throw new CertificateNumberError(`{level} is a level code of 1–2 capital letters or digits, got ${JSON.stringify(levelCode)}`);
        out += levelCode;
        break;
      case 'seq': {
        const digits = String(seq);
        if (t.width !== null && digits.length > t.width) {
          throw new CertificateNumberError(`sequence number ${seq} needs ${digits.length} digits but the format ${JSON.stringify(format)} allows ${t.width}`);
        }
        out += t.width === null ? digits : digits.padStart(t.width, '0');
        break;
      }
    }
  }
  return out;
}

/**
 * The parts of a certificate number written in `format`, or null when it is not one (a worker or admin typing a
 * number to look up). Surrounding spaces are ignored and letters may be lower case; the level code comes back in
 * capitals. Parts the format lacks are absent. Pass the policy's level codes: level codes may contain digits, so
 * without them '…Z000042' could read as level Z0 (which the format allows) rather than as a wrong number.
 */
export function parseCertificateNumber(
  format: string,
  number: string,
  levelCodes?: readonly string[],
): (Partial<Omit<CertificateNumberParts, 'seq'>> & { seq: number }) | null {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const levelPattern = levelCodes
    ? `(${[...levelCodes].sort((a, b) => b.length - a.length).map(escape).join('|')})`
    : '([A-Z0-9]{1,2})';
  const tokens = tokenize(format);
  const names: Token['kind'][] = [];
  let source = '^';
  for (const t of tokens) {
    if (t.kind === 'text') {
      source += escape(t.text);
      continue;
    }
    names.push(t.kind);
    if (t.kind === 'region') source += '(\\d{6})';
    else if (t.kind === 'year') source += '(\\d{4})';
    else if (t.kind === 'level') source += levelPattern;
    else source += t.width === null ? '(\\d+)' : `(\\d{${t.width}})`;
  }
  const m = new RegExp(`${source}$`, 'i').exec(number.trim());
  if (!m) return null;
  const out: Partial<CertificateNumberParts> = {};
  names.forEach((name, i) => {
    const v = m[i + 1] ?? '';
    if (name === 'region') out.region = v;
    else if (name === 'year') out.year = Number(v);
    else if (name === 'level') out.levelCode = v.toUpperCase();
    else if (name === 'seq') out.seq = Number(v);
  });
  if (out.seq === undefined || !Number.isSafeInteger(out.seq) || out.seq < 1) return null;
  return { ...out, seq: out.seq };
}

// ---- the certificate --------------------------------------------------------------------------------------------

/**
 * Where a level's certificate is valid, as a region code: county-scoped → the worker's county-level unit (6-digit
 * prefix), city-scoped → the worker's city (4-digit prefix + '00'), province-scoped → the province (2-digit prefix
 * + '0000'). `regionCode` is the worker's (6 or 9 digits).
 */
export function scopeRegionOf(policy: Policy, level: LevelId, regionCode: string): string {
  const l = policy.levels.find((x) => x.id === level);
  if (!l) throw new RangeError(`policy ${policy.id} has no level ${JSON.stringify(level)}`);
  if (!/^\d{6}(\d{3})?$/.test(regionCode)) throw new RangeError(`a region code has 6 or 9 digits, got ${JSON.stringify(regionCode)}`);
  if (l.scope === 'province') return `${regionCode.slice(0, 2)}0000`;
  return l.scope === 'city' ? `${regionCode.slice(0, 4)}00` : regionCode.slice(0, 6);
}

/**
 * The last day of a validity of `years` years from `issuedOn`: the day before the anniversary
 * (2026-03-01 + 3 → 2029-02-28). Issued on 29 February, the anniversary in a common year is 1 March, so the
 * validity ends on 28 February.
 */
export function validUntilOf(issuedOn: string, years: number): string {
  const d = splitYmd(issuedOn);
  if (!d) throw new RangeError(`issuedOn must be a real date written YYYY-MM-DD, got ${JSON.stringify(issuedOn)}`);
  if (!Number.isInteger(years) || years < 1) throw new RangeError(`validity is a whole number of years ≥ 1, got ${years}`);
  // days_from_civil counts 29 February of a common year as 1 March, which is the anniversary wanted here.
  return civilFromDays(dayNumber(d.year + years, d.month, d.day) - 1);
}

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01), H. Hinnant's civil_from_days. */
function civilFromDays(z0: number): string {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatYmd(year, month, day);
}

/**
 * The certificate of a certified application, without its number (the repository assigns it). The level's
 * scope decides where it is valid; its status history starts with the issue, by whoever certified the application
 * (the actor and time of the application's 'certify' event). Throws when the application is not certified, the
 * policy is not the application's, or `scopeRegionCode` does not contain the worker's region.
 */
export function certificateFor(app: Application, policy: Policy, issuedOn: string, scopeRegionCode: string): Omit<Certificate, 'number'> {
  if (app.status !== 'certified') throw new TypeError(`application ${app.id} is ${app.status}, not certified: no certificate`);
  if (app.policyId !== policy.id) throw new TypeError(`application ${app.id} follows policy ${app.policyId}, not ${policy.id}`);
  const level = policy.levels.find((l) => l.id === app.level);
  if (!level) throw new RangeError(`policy ${policy.id} has no level ${JSON.stringify(app.level)}`);
  if (!/^\d{6}$/.test(scopeRegionCode)) throw new RangeError(`scopeRegionCode is a 6-digit region code, got ${JSON.stringify(scopeRegionCode)}`);
  const prefix = scopeRegionCode.replace(/(00)+$/, '');
  if (!app.regionCode.startsWith(prefix)) {
    throw new RangeError(`the worker's region ${app.regionCode} is outside the certificate's scope region ${scopeRegionCode}`);
  }
  const certified = [...app.history].reverse().find((e) => e.toStatus === 'certified');
  if (!certified) throw new TypeError(`application ${app.id} has no certify event in its history`);
  return {
    applicationId: app.id,
    workerId: app.workerId,
    policyId: policy.id,
    level: app.level,
    regionCode: app.regionCode,
    scope: level.scope,
    scopeRegionCode,
    issuedOn,
    validUntil: validUntilOf(issuedOn, policy.certificate.validityYears),
    status: 'valid',
    statusHistory: [{ at: certified.at, status: 'valid', reason: `issued on certification of application ${app.id}`, actor: certified.actor }],
  };
}

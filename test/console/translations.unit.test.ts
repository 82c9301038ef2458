/**
 * Every id the server shows the console — audit actions and outcomes, the stages and levels of both policies,
 * reminder kinds and reasons, application, certificate and broadcast statuses — has a name in every console
 * locale (core messages with the features' merged in), so no page shows a raw id such as `advance`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from '../../console/src/locales/en.ts';
import zh from '../../console/src/locales/zh-CN.ts';
import { features, mergeMessages } from '../../console/src/features/index.ts';
import type { MessageTree } from '../../console/src/features/feature.ts';
import { auditActionName } from '../../console/src/logic/auditWords.ts';
import { spelledOut } from '../../console/src/logic/format.ts';
import { codeSentence } from '../../console/src/logic/refusalCodes.ts';
import { declaredRecord } from '../../src/app/certification/declaredFacts.ts';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../../src/domain/audit/auditActions.ts';
import { BROADCAST_STATUSES } from '../../src/domain/broadcasts/broadcast.ts';
import type { ApplicationAction, ApplicationStatus, CertificateStatus } from '../../src/domain/certification/types.ts';
import { parsePolicy } from '../../src/domain/policy/load.ts';
import { REMINDER_KINDS } from '../../src/domain/policy/trainingSchema.ts';
import { REMINDER_REASONS } from '../../src/domain/reminders/reasons.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLICIES = ['jiangsu', 'pinghu'].map((p) => parsePolicy(readFileSync(join(ROOT, `policies/${p}.yaml`), 'utf8'), `policies/${p}.yaml`));
const APPLICATION_STATUSES = ['open', 'returned', 'rejected', 'withdrawn', 'certified'] as const satisfies readonly ApplicationStatus[];
const CERTIFICATE_STATUSES = ['valid', 'suspended', 'revoked', 'expired'] as const satisfies readonly CertificateStatus[];
const HISTORY_ACTIONS = [
  'submit', 'advance', 'return', 'resubmit', 'reject', 'withdraw', 'recordScore', 'recordSatisfaction', 'recordObjection', 'decideObjection', 'certify', 'certificateIssued', 'addEvidence',
] as const satisfies readonly ApplicationAction[];
// A new ApplicationAction missing above fails the type check here.
const everyHistoryAction: Exclude<ApplicationAction, (typeof HISTORY_ACTIONS)[number]> extends never ? true : false = true;

const LOCALES: Record<string, MessageTree> = {
  'zh-CN': features.reduce((m, f) => mergeMessages(m, f.messages['zh-CN']), zh as MessageTree),
  en: features.reduce((m, f) => mergeMessages(m, f.messages.en), en as MessageTree),
};

/** The message at a dotted key, as vue-i18n reads it (each dot one level down). */
function message(tree: MessageTree, key: string): string | undefined {
  let node: MessageTree | string | undefined = tree;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' && node.trim() ? node : undefined;
}

/** Every key `prefix.<id>` that a locale lacks, as `locale: key`. */
function missing(prefix: string, ids: readonly string[]): string[] {
  return Object.entries(LOCALES).flatMap(([locale, tree]) => ids.filter((id) => !message(tree, `${prefix}.${id}`)).map((id) => `${locale}: ${prefix}.${id}`));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The audit actions src/ writes as literals, through each audit helper the app has. */
function writtenActions(): Set<string> {
  const found = new Set<string>();
  const patterns: [RegExp, (m: RegExpMatchArray) => string[]][] = [
    [/audited\(admin, '([\w.]+)'/g, (m) => [m[1]!]],
    [/auditAccount\(deps, [\w.]+, '([\w.]+)'/g, (m) => [m[1]!]],
    [/\baudit\(admin, '([\w.]+)'/g, (m) => [m[1]!]],
    [/\baudit\(deps, admin, '([\w.]+)'/g, (m) => [`broadcast.${m[1]}`]],
    [/action: '([\w.]+)', target/g, (m) => [m[1]!]],
    [/const action = \w+ \? '(\w+)' : '(\w+)'/g, (m) => [m[1]!, m[2]!]],
    [/type Move = ([^;]+);/g, (m) => [...m[1]!.matchAll(/'(\w+)'/g)].map((v) => `broadcast.${v[1]}`)],
  ];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    if (!/audit/i.test(text)) continue;
    for (const [re, ids] of patterns) for (const m of text.matchAll(re)) for (const id of ids(m)) found.add(id);
  }
  return found;
}

/**
 * The refusal codes the admin API can answer with: every literal `code: '…'` of a refusal in src/ (service and
 * domain errors, HttpError extras), the broadcasts' `refuse(status, 'code', …)`, the accounts' `fail(…, 'code')`,
 * the pipeline's error codes (runCommand's STATUS_OF) and the codes errors.ts gives by status. zod's own issue
 * code `custom` is not a refusal.
 */
function refusalCodes(): Set<string> {
  const found = new Set<string>();
  const patterns = [/\bcode: '(\w+)'/g, /\brefuse\(\d{3}, '(\w+)'/g, /\bfail\(\d{3}, (?:'[^']*'|`[^`]*`), '(\w+)'\)/g];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) if (m[1] !== 'custom') found.add(m[1]!);
  }
  const keysOf = (file: string, table: RegExp) => {
    const body = table.exec(readFileSync(join(ROOT, file), 'utf8'))?.[1] ?? '';
    return [...body.matchAll(/(\w+): (?:'(\w+)'|\d+)/g)].map((m) => m[2] ?? m[1]!);
  };
  for (const code of keysOf('src/app/certification/runCommand.ts', /const STATUS_OF[^{]*\{([^}]*)\}/)) found.add(code);
  for (const code of keysOf('src/http/errors.ts', /const CODES_BY_STATUS[^{]*\{([^}]*)\}/)) if (!/^\d+$/.test(code)) found.add(code);
  for (const code of ['invalidJson', 'clientError', 'internal']) found.add(code);
  return found;
}

describe('console translations of the server’s ids', () => {
  it('regression: refusals came raw in English on zh-CN pages (“region 3205 is outside your region 320100”): every refusal code has a sentence in zh-CN and en', () => {
    const codes = refusalCodes();
    // The scan sees the app's refusals (a pattern that stopped matching would let a new code slip by).
    expect(codes.size).toBeGreaterThanOrEqual(60);
    expect([...codes].filter((c) => !codeSentence(c, 'zh-CN')).map((c) => `zh-CN: ${c}`)).toEqual([]);
    expect([...codes].filter((c) => !codeSentence(c, 'en')).map((c) => `en: ${c}`)).toEqual([]);
    for (const code of ['guard', 'notAllowed', 'forbidden', 'tooManyRequests', 'noTestTarget', 'ownBroadcast', 'notPollOwner']) expect(codes).toContain(code);
  });

  it('list every audit action the app writes', () => {
    const written = writtenActions();
    // The scan sees the app's audit calls (a pattern that stopped matching would let a new action slip by).
    expect(written.size).toBeGreaterThanOrEqual(35);
    expect([...written].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });

  it('name every audit action and outcome in zh-CN and en', () => {
    expect(missing('names.auditAction', AUDIT_ACTIONS)).toEqual([]);
    expect(missing('names.outcome', AUDIT_OUTCOMES)).toEqual([]);
  });

  it('name every stage and level of both policies', () => {
    const stages = [...new Set(POLICIES.flatMap((p) => p.pipeline.stages.map((s) => s.id)))];
    const levels = [...new Set(POLICIES.flatMap((p) => p.levels.map((l) => l.id)))];
    expect(stages).toContain('satisfactionSurvey');
    expect(missing('names.stage', stages)).toEqual([]);
    expect(missing('names.level', levels)).toEqual([]);
  });

  it('name every reminder kind and every reason a reminder was not sent', () => {
    expect(missing('reminders.kinds', REMINDER_KINDS)).toEqual([]);
    expect(missing('reminders.reasons', REMINDER_REASONS)).toEqual([]);
  });

  it('name every step of an application’s history', () => {
    expect(everyHistoryAction).toBe(true);
    expect(missing('values.history', HISTORY_ACTIONS)).toEqual([]);
  });

  it('name every declared fact an application records, and spell out a key it does not know', () => {
    expect(missing('values.declared', Object.keys(declaredRecord({} as Parameters<typeof declaredRecord>[0])))).toEqual([]);
    expect([spelledOut('yearsInRole'), spelledOut('reminders.settings'), spelledOut('x')]).toEqual(['Years in role', 'Reminders settings', 'X']);
  });

  it('name every application, certificate and broadcast status', () => {
    expect(missing('queue.status', APPLICATION_STATUSES)).toEqual([]);
    expect(missing('certificates.status', CERTIFICATE_STATUSES)).toEqual([]);
    expect(missing('broadcasts.status', BROADCAST_STATUSES)).toEqual([]);
  });

  it('show an action by its name, and an id this console does not know as it is', () => {
    const t = (key: string) => message(LOCALES.en!, key)!;
    const te = (key: string) => message(LOCALES.en!, key) !== undefined;
    expect(auditActionName('broadcast.unknown.resend', t, te)).toBe('Resend messages of unknown outcome');
    expect(auditActionName('advance', t, te)).toBe('Approve to the next stage');
    expect(auditActionName('cert.issue', t, te)).toBe('cert.issue');
  });

  it('no en message holds a Chinese word or Chinese punctuation', () => {
    const chinese = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;
    const strings = (tree: MessageTree, path = ''): [string, string][] =>
      Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${path}${k}`, v] as [string, string]] : strings(v, `${path}${k}.`)));
    const all = strings(LOCALES.en!);
    expect(all.length).toBeGreaterThan(500);
    // Allowed: 年检 and the like, the names every admin knows (beside the English), and a chat command the worker types ("退订 全部").
    const allowed = (v: string) => v.replace(/年检|年度考核|考核|红领津贴/g, '').replace(/"[^"]*"/g, '');
    expect(all.filter(([, v]) => chinese.test(allowed(v))).map(([k, v]) => `${k}: ${v}`)).toEqual([]);
  });
});

/**
 * A refusal of the API in the admin's language. The API words every refusal in English for scripts, and also
 * sends a stable `code` with `params` (service refusals) or `issues` (zod checks: field, zod code, bounds); this
 * module turns those into a sentence, with times in China time and stage, level and region names from the
 * catalog. Any other code gets its sentence from refusalCodes.ts; a code this console does not know keeps the
 * server's own message, so a new refusal is never hidden.
 */
import type { Catalog, Localized } from '../api/types.ts';
import { bracketed, dateTime, localized, type Locale } from './format.ts';
import { codeSentence } from './refusalCodes.ts';

export interface Refusal {
  status: number;
  message: string;
  code?: string | undefined;
  body: Record<string, unknown>;
}

export interface Names {
  stage(id: string): string;
  level(id: string): string;
  region(code: string): string;
}

type Table = Record<string, string>;

const FIELDS: Record<Locale, Table> = {
  'zh-CN': {
    title: '标题', kind: '类型', levels: '级别', level: '级别', roles: '角色', regionCode: '地区', region: '地区', startsAt: '开始时间', endsAt: '结束时间',
    enrolBy: '报名截止', hours: '学时', capacity: '名额', place: '地点', score: '成绩', rate: '满意率', year: '年度', stage: '阶段', from: '开始', to: '结束',
    reason: '原因', note: '备注', username: '用户名', name: '名称', newPassword: '新密码', currentPassword: '当前密码', password: '密码', label: '标签',
    'subject.applicationId': '申请编号', applicationId: '申请编号', workerId: '人员编号', status: '状态', question: '问题', options: '选项', text: '内容',
  },
  en: {
    startsAt: 'Start', endsAt: 'End', enrolBy: 'Enrol by', regionCode: 'Region', 'subject.applicationId': 'Application id', newPassword: 'New password',
    currentPassword: 'Current password',
  },
};

const TEXT: Record<Locale, Table> = {
  'zh-CN': {
    required: '必填',
    number: '应为数字',
    type: '格式不对（应为 {expected}）',
    min: '不能小于 {n}',
    max: '不能大于 {n}',
    minLength: '至少 {n} 个字符',
    maxLength: '最多 {n} 个字符',
    minItems: '至少 {n} 项',
    maxItems: '最多 {n} 项',
    datetime: '请选择日期和时间',
    format: '格式不正确',
    oneOf: '应为以下之一：{values}',
    unknownKeys: '不认识的字段：{keys}',
    field: '{field}：{problem}',
    scoreNotAtTest: '当前阶段「{stage}」不能登记测试成绩：成绩在培训测试阶段登记',
    noTestScore: '尚未登记测试成绩（及格线 {passMark} 分），不能进入下一阶段',
    scoreBelowPassMark: '测试成绩 {score} 分低于及格线 {passMark} 分，不能进入下一阶段',
    noSatisfaction: '尚未录入满意率，不能进入下一阶段',
    satisfactionBelowMinimum: '满意率 {satisfaction} 低于该级别要求的 {minSatisfaction}，不能进入下一阶段',
    noticeRunning: '公示期到 {noticeEndsAt}（北京时间）才结束，结束前不能进入下一阶段',
    wrongPassword: '当前密码不正确',
    futureYear: '{year} 年尚未开始（现在是 {thisYear} 年），年检和考核只能登记 {thisYear} 年及以前',
    closed: '证书已{status}，不再年检',
    alreadyRecorded: '{year} 年的{part}已经登记过另一结果；如需改动，请在记录上点“更正”并填写原因',
    'part.inspection': '年检',
    'part.assessment': '年度考核',
    'status.revoked': '撤销',
    'status.expired': '过期',
    notBelowNew: '新账号的地区 {region} 不在您的地区 {yourRegion} 之下：您只能管理下级地区的账号',
    notBelow: '该账号的地区 {region} 不在您的地区 {yourRegion} 之下：您只能管理下级地区的账号',
    managedBy: '{level}{kind}由{committee}管理；{why}',
    'kind.applications': '申请',
    'kind.certificates': '证书',
    committeeOf: '{region}{tier}委员会',
    committeeAny: '{tier}委员会',
    lowerTier: '{tier}管理员只能查看、不能办理',
    upperTier: '{tier}管理员只能查看、不能办理（该级别的政策不允许上级办理）',
    outsideRegion: '地区 {region} 不在您的地区 {yourRegion} 之内',
    unknownRegion: '您的地区 {yourRegion} 不是省、市、县或街道代码',
    'tier.province': '省级',
    'tier.city': '市级',
    'tier.county': '县级',
    'tier.street': '街道',
  },
  en: {
    required: 'is required',
    number: 'must be a number',
    type: 'must be a {expected}',
    min: 'must be at least {n}',
    max: 'must be at most {n}',
    minLength: 'needs at least {n} characters',
    maxLength: 'has at most {n} characters',
    minItems: 'needs at least {n} items',
    maxItems: 'has at most {n} items',
    datetime: 'pick a date and time',
    format: 'is not in the right format',
    oneOf: 'must be one of: {values}',
    unknownKeys: 'unknown fields: {keys}',
    field: '{field}: {problem}',
    scoreNotAtTest: 'A test score cannot be recorded at stage “{stage}”: scores are recorded at the training test',
    noTestScore: 'No test score is recorded (pass mark {passMark}), so the application cannot move on',
    scoreBelowPassMark: 'The test score {score} is below the pass mark {passMark}, so the application cannot move on',
    noSatisfaction: 'No satisfaction rate is recorded, so the application cannot move on',
    satisfactionBelowMinimum: 'Satisfaction {satisfaction} is below the {minSatisfaction} this level requires',
    noticeRunning: 'The public notice runs until {noticeEndsAt} (China time); the application moves on after it',
    wrongPassword: 'The current password is wrong',
    futureYear: 'The year {year} has not begun (it is {thisYear}); 年检 and assessments are recorded for {thisYear} or earlier',
    closed: 'The certificate is {status}, so it is no longer inspected',
    alreadyRecorded: 'The {year} {part} is already recorded with another result; to change it, use “Correct” on the record and give a reason',
    'part.inspection': 'annual inspection',
    'part.assessment': 'annual assessment',
    'status.revoked': 'revoked',
    'status.expired': 'expired',
    notBelowNew: 'The new account’s region {region} is not below your region {yourRegion}: you manage accounts of regions below yours',
    notBelow: 'That account’s region {region} is not below your region {yourRegion}: you manage accounts of regions below yours',
    managedBy: '{level} {kind} are managed by {committee}; {why}',
    'kind.applications': 'applications',
    'kind.certificates': 'certificates',
    committeeOf: 'the {region} {tier} committee',
    committeeAny: 'a {tier} committee',
    lowerTier: 'a {tier} admin may read but not act on them',
    upperTier: 'a {tier} admin may read but not act on them (the policy does not let upper tiers act on this level)',
    outsideRegion: 'region {region} is outside your region {yourRegion}',
    unknownRegion: 'your region {yourRegion} is not a province, city, county or street code',
    'tier.province': 'province',
    'tier.city': 'city',
    'tier.county': 'county',
    'tier.street': 'street',
  },
};

function fill(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}

/** Names from the catalog; an id the catalog lacks (or before it loaded) stays as it is. */
export function catalogNames(catalog: Catalog | null, locale: Locale): Names {
  const find = (list: { id?: string; code?: string; name: Localized }[] | undefined, key: string) => {
    const hit = list?.find((x) => (x.id ?? x.code) === key);
    return hit ? localized(hit.name, locale, key) : key;
  };
  return {
    stage: (id) => find(catalog?.stages, id),
    level: (id) => find(catalog?.levels, id),
    region: (code) => {
      const name = find(catalog?.regions, code);
      return name === code ? code : bracketed(name, code, locale);
    },
  };
}

interface Issue {
  path: string;
  code: string;
  message: string;
  received?: string;
  expected?: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
  format?: string;
  values?: unknown[];
  keys?: string[];
}

function issueProblem(issue: Issue, text: Table): string | null {
  if (issue.received === 'missing' || issue.received === 'empty') return text.required!;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.received === 'NaN') return text.number!;
      return fill(text.type!, { expected: issue.expected });
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? text.required! : fill(text.minLength!, { n: issue.minimum });
      if (issue.origin === 'array') return fill(text.minItems!, { n: issue.minimum });
      return fill(text.min!, { n: issue.minimum });
    case 'too_big':
      if (issue.origin === 'string') return fill(text.maxLength!, { n: issue.maximum });
      if (issue.origin === 'array') return fill(text.maxItems!, { n: issue.maximum });
      return fill(text.max!, { n: issue.maximum });
    case 'invalid_format':
      return issue.format === 'datetime' ? text.datetime! : text.format!;
    case 'invalid_value':
      return fill(text.oneOf!, { values: (issue.values ?? []).join(' / ') });
    case 'unrecognized_keys':
      return fill(text.unknownKeys!, { keys: (issue.keys ?? []).join(', ') });
    default:
      return null;
  }
}

function issuesText(issues: Issue[], locale: Locale): string | null {
  const text = TEXT[locale];
  const parts: string[] = [];
  for (const issue of issues) {
    const problem = issueProblem(issue, text);
    // A check with its own wording (a refine, a cross-field rule) keeps the server's sentence for that field.
    if (!problem) {
      parts.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
      continue;
    }
    const field = FIELDS[locale][issue.path] ?? issue.path;
    parts.push(issue.path ? fill(text.field!, { field, problem }) : problem);
  }
  return parts.length ? parts.join(locale === 'zh-CN' ? '；' : '; ') : null;
}

function paramsText(code: string | undefined, params: Record<string, unknown>, locale: Locale, names: Names): string | null {
  const text = TEXT[locale];
  const reason = typeof params.reason === 'string' ? params.reason : undefined;
  const pct = (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 1000) / 10}%` : '—');
  if (code === 'wrongStage' && reason === 'scoreNotAtTest') return fill(text.scoreNotAtTest!, { stage: names.stage(String(params.stage)) });
  if (code === 'guard' && reason && text[reason]) {
    return fill(text[reason]!, {
      ...params,
      noticeEndsAt: typeof params.noticeEndsAt === 'string' ? dateTime(params.noticeEndsAt) : '',
      satisfaction: pct(params.satisfaction),
      minSatisfaction: pct(params.minSatisfaction),
    });
  }
  if (code === 'futureYear') return fill(text.futureYear!, params);
  if (code === 'alreadyRecorded') return fill(text.alreadyRecorded!, { year: String(params.year), part: text[`part.${String(params.part)}`] ?? String(params.part) });
  if (code === 'closed') return fill(text.closed!, { status: text[`status.${String(params.status)}`] ?? String(params.status) });
  if (code === 'notBelow') {
    return fill(params.what === 'newAccount' ? text.notBelowNew! : text.notBelow!, { region: names.region(String(params.regionCode)), yourRegion: names.region(String(params.yourRegion)) });
  }
  if (code === 'notManagingTier' && reason && text[reason]) {
    const tier = (t: unknown) => text[`tier.${String(t)}`] ?? String(t);
    const committee =
      typeof params.managingRegion === 'string'
        ? fill(text.committeeOf!, { region: names.region(params.managingRegion), tier: tier(params.managingTier) })
        : fill(text.committeeAny!, { tier: tier(params.managingTier) });
    const why = fill(text[reason]!, { tier: tier(params.adminTier), region: names.region(String(params.regionCode)), yourRegion: names.region(String(params.adminRegion)) });
    return fill(text.managedBy!, { level: names.level(String(params.level)), kind: text[`kind.${String(params.kind)}`] ?? '', committee, why });
  }
  return null;
}

/** The sentence to show for a refusal; the server's message when its code is not one this console knows. */
export function refusalText(e: Refusal, locale: Locale, names: Names): string {
  if (e.code === 'wrongPassword') return TEXT[locale].wrongPassword!;
  if (Array.isArray(e.body.issues)) return issuesText(e.body.issues as Issue[], locale) ?? codeSentence(e.code, locale) ?? e.message;
  const params = e.body.params;
  const specific = params && typeof params === 'object' ? paramsText(e.code, params as Record<string, unknown>, locale, names) : null;
  // A 400 `invalid` without zod issues names its problem only in its message (endsAt must be after startsAt): a
  // generic sentence would hide what to fix, so that message stays.
  if (specific === null && e.code === 'invalid') return e.message;
  return specific ?? codeSentence(e.code, locale) ?? e.message;
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, createHttpClient } from '../../console/src/api/http.ts';
import type { Catalog } from '../../console/src/api/types.ts';
import { catalogNames, refusalText, type Refusal } from '../../console/src/logic/refusal.ts';
import { HttpError } from '../../src/http/errors.ts';
import { parse } from '../../src/http/admin/parse.ts';
import { fakeFetch } from './fakeFetch.ts';

const CATALOG: Catalog = {
  stages: [
    { id: 'declaration', name: { 'zh-CN': '申报', en: 'Declaration' } },
    { id: 'qualificationReview', name: { 'zh-CN': '资格审查', en: 'Qualification review' } },
  ],
  levels: [{ id: 'senior', name: { 'zh-CN': '高级', en: 'Senior' } }],
  regions: [
    { code: '320100', name: { 'zh-CN': '南京市', en: '南京市' } },
    { code: '320200', name: { 'zh-CN': '无锡市', en: '无锡市' } },
    { code: '320102', name: { 'zh-CN': '玄武区', en: '玄武区' } },
  ],
  accountRegions: [],
};
const zh = catalogNames(CATALOG, 'zh-CN');
const en = catalogNames(CATALOG, 'en');

/** The refusal the API would send for `value` against `schema` (the real parse(), so the body is the server's). */
function refusalOf(schema: z.ZodType, value: unknown): Refusal {
  try {
    parse(schema, value);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    return { status: e.status, message: e.message, code: e.extra?.code as string, body: { ...e.extra, error: e.message } };
  }
  throw new Error('the value passed the schema');
}

const instant = z.iso.datetime({ offset: true, message: 'times are ISO 8601 with a zone, e.g. 2026-04-01T09:00:00+08:00' });

describe('refusals in the admin’s language', () => {
  it('regression: an empty 新建培训 said "startsAt: times are ISO 8601 with a zone…" under a date picker', () => {
    const r = refusalOf(z.strictObject({ title: z.string().trim().min(1, 'a session needs a title'), startsAt: instant, hours: z.number().max(100) }), { title: '', startsAt: '', hours: 150 });
    expect(r.message).toContain('startsAt: times are ISO 8601');
    expect(refusalText(r, 'zh-CN', zh)).toBe('标题：必填；开始时间：必填；学时：不能大于 100');
    expect(refusalText(r, 'en', en)).toBe('title: is required; Start: is required; hours: must be at most 100');
    const typed = refusalOf(z.strictObject({ startsAt: instant }), { startsAt: '2026-03-10' });
    expect(refusalText(typed, 'zh-CN', zh)).toBe('开始时间：请选择日期和时间');
  });

  it('regression: the API answered "year: Invalid input: expected number, received NaN" and "to: … received undefined"', () => {
    const year = refusalOf(z.strictObject({ year: z.number().int() }), { year: Number('abc') });
    expect(year.message).toBe('year must be a number, not NaN');
    expect(refusalText(year, 'zh-CN', zh)).toBe('年度：应为数字');
    const funnel = refusalOf(z.strictObject({ from: z.string(), to: z.string() }), { from: '2026-01-01' });
    expect(refusalText(funnel, 'zh-CN', zh)).toBe('结束：必填');
  });

  it('regression: 新建测评 empty said "subject.applicationId: Invalid string: must match pattern …"', () => {
    const r = refusalOf(z.strictObject({ subject: z.strictObject({ applicationId: z.string().regex(/^[a-z0-9]{8}$/) }), stage: z.string().regex(/^[a-z]+$/) }), {
      subject: { applicationId: '!!' },
      stage: 'Bad Stage',
    });
    expect(refusalText(r, 'zh-CN', zh)).toBe('申请编号：格式不正确；阶段：格式不正确');
  });

  it('regression: a new account with an empty username named only name and regionCode (now all three, in Chinese)', () => {
    const r = refusalOf(z.strictObject({ username: z.string().trim().min(1, 'give the username'), name: z.string().trim().min(1), regionCode: z.string().regex(/^\d{6}$/) }), { username: '', name: '', regionCode: '' });
    expect(refusalText(r, 'zh-CN', zh)).toBe('用户名：必填；名称：必填；地区：必填');
  });

  it('regression: pipeline refusals came in raw English (a score at 申报, no score yet, the notice end in UTC)', () => {
    const base = { status: 422, message: 'english' };
    expect(refusalText({ ...base, code: 'wrongStage', body: { params: { reason: 'scoreNotAtTest', stage: 'declaration' } } }, 'zh-CN', zh)).toBe(
      '当前阶段「申报」不能登记测试成绩：成绩在培训测试阶段登记',
    );
    expect(refusalText({ ...base, code: 'guard', body: { params: { reason: 'noTestScore', passMark: 60 } } }, 'zh-CN', zh)).toBe('尚未登记测试成绩（及格线 60 分），不能进入下一阶段');
    // 17:15 UTC is 01:15 the next day in China.
    expect(refusalText({ ...base, code: 'guard', body: { params: { reason: 'noticeRunning', noticeEndsAt: '2026-12-08T17:15:49.179Z' } } }, 'zh-CN', zh)).toBe(
      '公示期到 2026-12-09 01:15（北京时间）才结束，结束前不能进入下一阶段',
    );
    expect(refusalText({ ...base, code: 'guard', body: { params: { reason: 'noticeRunning', noticeEndsAt: '2026-12-08T17:15:49.179Z' } } }, 'en', en)).toContain('2026-12-09 01:15 (China time)');
  });

  it('regression: account and tier refusals ("the current password is wrong", "not below your region", "高级 applications are managed by …")', () => {
    expect(refusalText({ status: 403, message: 'the current password is wrong', code: 'wrongPassword', body: {} }, 'zh-CN', zh)).toBe('当前密码不正确');
    expect(
      refusalText({ status: 403, message: 'x', code: 'notBelow', body: { params: { what: 'newAccount', regionCode: '320200', yourRegion: '320100' } } }, 'zh-CN', zh),
    ).toBe('新账号的地区 无锡市（320200） 不在您的地区 南京市（320100） 之下：您只能管理下级地区的账号');
    const tier = {
      status: 403,
      message: 'x',
      code: 'notManagingTier',
      body: { params: { reason: 'lowerTier', level: 'senior', kind: 'applications', managingTier: 'city', managingRegion: '320100', adminTier: 'county', regionCode: '320102', adminRegion: '320102' } },
    };
    expect(refusalText(tier, 'zh-CN', zh)).toBe('高级申请由南京市（320100）市级委员会管理；县级管理员只能查看、不能办理');
    expect(refusalText(tier, 'en', en)).toBe('Senior applications are managed by the 南京市 (320100) city committee; a county admin may read but not act on them');
  });

  it('words a 年检 or 考核 recorded again with another result (409 alreadyRecorded) in the admin’s language', () => {
    const again = { status: 409, message: 'the 2026 inspection … is already recorded', code: 'alreadyRecorded', body: { params: { year: 2026, part: 'inspection' } } };
    expect(refusalText(again, 'zh-CN', zh)).toBe('2026 年的年检已经登记过另一结果；如需改动，请在记录上点“更正”并填写原因');
    expect(refusalText(again, 'en', en)).toBe('The 2026 annual inspection is already recorded with another result; to change it, use “Correct” on the record and give a reason');
  });

  it('regression: a refusal without params came in the API’s English on a zh-CN page (outOfScope, levelRestricted, noTestTarget)', () => {
    const scope = { status: 403, message: 'region 3205 is outside your region 320100', code: 'outOfScope', body: { code: 'outOfScope', error: 'region 3205 is outside your region 320100' } };
    expect(refusalText(scope, 'zh-CN', zh)).toBe('不在您的地区或管理级别范围内');
    expect(refusalText(scope, 'en', en)).toBe('Outside your region or levels');
    expect(refusalText({ status: 403, message: 'reminder settings apply to every level…', code: 'levelRestricted', body: {} }, 'zh-CN', zh)).toBe('提醒设置对所有级别生效，只管理部分级别的管理员不能修改');
    // A code with params this console has no specific sentence for still gets the code's sentence.
    expect(refusalText({ status: 422, message: 'guard says no', code: 'guard', body: { params: { reason: 'somethingNew' } } }, 'zh-CN', zh)).toBe('尚不满足进入下一阶段的条件');
    // A 400 without zod issues names its problem only in its message: that stays (a generic sentence would hide it).
    expect(refusalText({ status: 400, message: 'endsAt must be after startsAt', code: 'invalid', body: {} }, 'zh-CN', zh)).toBe('endsAt must be after startsAt');
    // A status-only refusal (HttpError without a code of its own) by its default code.
    expect(refusalText({ status: 403, message: 'region 3205 is outside your region 320100', code: 'forbidden', body: {} }, 'zh-CN', zh)).toBe('无权进行此操作：不在您的地区或管理级别范围内');
  });

  it('keeps the server’s message for a code it does not know, and names ids the catalog lacks as they are', () => {
    expect(refusalText({ status: 409, message: 'something new', code: 'brandNew', body: { params: { a: 1 } } }, 'zh-CN', zh)).toBe('something new');
    expect(refusalText({ status: 400, message: 'plain', body: {} }, 'zh-CN', zh)).toBe('plain');
    expect(catalogNames(null, 'zh-CN').stage('declaration')).toBe('declaration');
    const custom = refusalOf(z.strictObject({ a: z.number() }).refine(() => false, 'from must be before to'), { a: 1 });
    expect(refusalText(custom, 'zh-CN', zh)).toBe('from must be before to');
  });

  it('the client puts the explained sentence in message and keeps the API’s in serverMessage', async () => {
    const { fetch } = fakeFetch(() => ({ status: 403, body: { error: 'the current password is wrong', code: 'wrongPassword' } }));
    const http = createHttpClient({ base: '/admin/api', fetch, explain: (e) => refusalText(e, 'zh-CN', zh) });
    const e = await http.post('/account/password', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).message).toBe('当前密码不正确');
    expect((e as ApiError).serverMessage).toBe('the current password is wrong');
    expect((e as ApiError).code).toBe('wrongPassword');
  });
});

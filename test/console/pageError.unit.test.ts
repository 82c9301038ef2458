import { describe, expect, it } from 'vitest';
import { ApiError } from '../../console/src/api/http.ts';
import { pageError } from '../../console/src/logic/pageError.ts';
import zh from '../../console/src/locales/zh-CN.ts';
import en from '../../console/src/locales/en.ts';

type Messages = { errors: Record<string, string>; common: Record<string, string> };
/** vue-i18n's t over one locale's messages: a dotted key, `{name}` filled in. */
const tOf = (messages: Messages) => (key: string, values: Record<string, string> = {}) => {
  const [group, name] = key.split('.') as [keyof Messages, string];
  return (messages[group][name] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
};

describe('pageError', () => {
  it('regression: a county admin refused another region’s application saw only the API’s English reason on a Chinese page', () => {
    const refused = new ApiError(403, 'application a1 is outside your region or levels', undefined, {});
    expect(pageError(refused, tOf(zh))).toBe('无权查看：不在您的地区或管理级别范围内（application a1 is outside your region or levels）');
    expect(pageError(refused, tOf(en))).toBe('Not yours to see: outside your region or levels (application a1 is outside your region or levels)');
    expect(pageError(new ApiError(404, 'no application a2', undefined, {}), tOf(zh))).toBe('没有找到这条记录（no application a2）');
    // Anything else keeps its own message (the network error is already in the admin's language).
    expect(pageError(new ApiError(0, '无法连接服务器', undefined, {}), tOf(zh))).toBe('无法连接服务器');
  });

  it('regression: a county admin refused another county’s application read “无权查看：…（不在您的地区或管理级别范围内）”, the reason twice', () => {
    const explained = new ApiError(403, '不在您的地区或管理级别范围内', 'outOfScope', {}, 'application a1 is outside your region or levels');
    expect(pageError(explained, tOf(zh))).toBe('无权查看：不在您的地区或管理级别范围内');
    expect(pageError(new ApiError(404, '没有找到这条记录（可能已被删除）', 'notFound', {}, 'no application a2'), tOf(zh))).toBe('没有找到这条记录');
    // Another refusal keeps its own reason beside the page's sentence.
    expect(pageError(new ApiError(403, '请先修改密码', 'passwordChangeRequired', {}), tOf(zh))).toBe('无权查看：不在您的地区或管理级别范围内（请先修改密码）');
  });
});

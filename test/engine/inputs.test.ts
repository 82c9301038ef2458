/**
 * Input handlers called directly: each input type's valid and invalid answers, and the exact re-prompt the user
 * sees (rendered from templates/zh-CN/inputs.yaml through the real translator).
 */
import { describe, expect, it } from 'vitest';
import type { AskStep, Flow, InputSpec } from '../../src/engine/flow/schema.ts';
import { inputHandler } from '../../src/engine/inputs/index.ts';
import type { InputContext, InputOutcome, UserInput } from '../../src/engine/inputs/types.ts';
import type { Pending } from '../../src/engine/types.ts';
import { content, makeIdNumber } from '../support/engineHarness.ts';

const TODAY = '2026-03-01';

function registration(): Flow {
  return content().flows.current('registration');
}

function askStep(id: string): AskStep {
  const step = registration().stepsById.get(id);
  if (!step || step.kind !== 'ask') throw new Error(`registration has no ask step ${id}`);
  return step;
}

function ctx(stepId = 'name', opts: { locale?: string; pending?: Pending | null; images?: boolean; vars?: Record<string, unknown> } = {}): InputContext {
  return {
    flow: registration(),
    step: askStep(stepId),
    locale: opts.locale ?? 'zh-CN',
    translator: content().translator,
    today: TODAY,
    data: { regions: content().regions },
    capabilities: { images: opts.images ?? true },
    pending: opts.pending ?? null,
    vars: opts.vars ?? {},
    answers: {},
  };
}

function parse(spec: InputSpec, input: string | UserInput, c: InputContext = ctx()): InputOutcome {
  const inbound: UserInput = typeof input === 'string' ? { type: 'text', text: input } : input;
  return inputHandler(spec).parse(spec, inbound, c);
}

/** The rejection message, failing the test when the input was not rejected. */
function rejection(outcome: InputOutcome): string {
  if (outcome.kind !== 'reject') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome.message;
}

function accepted(outcome: InputOutcome): unknown {
  if (outcome.kind !== 'accept') throw new Error(`expected acceptance, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}


describe('text input', () => {
  const spec: InputSpec = { type: 'text', minLength: 2, maxLength: 5 };

  it.each([
    ['张三', '张三'],
    ['  张   三  ', '张三'], // spaces between Chinese characters are dropped
    ['  Li   Na  ', 'Li Na'],
    ['😀😀', '😀😀'],
    ['😀😀😀😀😀', '😀😀😀😀😀'], // five emoji are five characters, not ten UTF-16 units
    ['abcde', 'abcde'],
  ])('accepts %j as %j', (text, value) => {
    expect(accepted(parse(spec, text))).toBe(value);
  });

  it.each([
    ['张', '内容太短了，至少需要 2 个字。'],
    ['😀', '内容太短了，至少需要 2 个字。'],
    ['   ', '内容太短了，至少需要 2 个字。'],
    ['abcdef', '内容太长了（6 字），请控制在 5 字以内。'],
    ['😀😀😀😀😀😀', '内容太长了（6 字），请控制在 5 字以内。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text))).toBe(message);
  });

  it('rejects a picture with the notText message', () => {
    const outcome = parse(spec, { type: 'image', mediaRef: 'm1' });
    expect(rejection(outcome)).toBe('这里需要文字回答，请输入文字。');
    expect(outcome).toMatchObject({ reason: 'notText' });
  });

  it('uses the flow pattern and its patternMessage (the registration name question)', () => {
    const nameSpec = askStep('name').input;
    expect(accepted(parse(nameSpec, '欧阳·娜娜'))).toBe('欧阳·娜娜');
    expect(accepted(parse(nameSpec, 'Anna Li'))).toBe('Anna Li');
    const outcome = parse(nameSpec, '张3');
    expect(rejection(outcome)).toBe('姓名只能包含中文、字母或间隔号“·”，例如“张三”或“阿依古丽·买买提”，请重新输入。');
    expect(outcome).toMatchObject({ reason: 'pattern' });
  });

  it('falls back to the generic pattern message when the flow gives none', () => {
    const digits: InputSpec = { type: 'text', minLength: 1, maxLength: 10, pattern: '^\\d+$' };
    expect(accepted(parse(digits, '123'))).toBe('123');
    expect(rejection(parse(digits, '12a'))).toBe('格式不正确，请按问题中的要求重新输入；发送“帮助”可查看说明。');
  });

  it('regression: a flag or ZWJ emoji counts as several characters toward maxLength', () => {
    // Each of these is one emoji on screen (one grapheme), so two of them fit a 2-character limit.
    const two: InputSpec = { type: 'text', minLength: 1, maxLength: 2 };
    expect(parse(two, '🇨🇳🇨🇳').kind).toBe('accept');
    expect(parse(two, '👨‍👩‍👧👍🏽').kind).toBe('accept');
  });
});

describe('integer input', () => {
  const spec: InputSpec = { type: 'integer', min: 1, max: 2000 };

  it.each([
    ['12', 12],
    ['１２', 12],
    [' 7 ', 7],
    ['1,200', 1200],
    ['1，200', 1200],
    ['+5', 5],
    ['2000', 2000],
    ['1', 1],
  ])('accepts %j as %d', (text, value) => {
    expect(accepted(parse(spec, text))).toBe(value);
  });

  it.each([
    ['abc', '请输入一个整数（例如 3）。'],
    ['12.5', '请输入一个整数（例如 3）。'],
    ['', '请输入一个整数（例如 3）。'],
    ['1e3', '请输入一个整数（例如 3）。'],
    ['0', '数字不能小于 1，请重新输入。'],
    ['-3', '数字不能小于 1，请重新输入。'],
    ['2001', '数字不能大于 2000，请重新输入。'],
    ['２，００１', '数字不能大于 2000，请重新输入。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text))).toBe(message);
  });
});

describe('decimal input', () => {
  const spec: InputSpec = { type: 'decimal', min: 0, max: 100, maxDecimals: 2 };

  it.each([
    ['2.5', 2.5],
    ['２.５', 2.5],
    ['2。5', 2.5],
    ['99.99', 99.99],
    ['100', 100],
    ['0', 0],
  ])('accepts %j as %d', (text, value) => {
    expect(accepted(parse(spec, text))).toBe(value);
  });

  it.each([
    ['two', '请输入一个数字（例如 2.5）。'],
    ['2.5.1', '请输入一个数字（例如 2.5）。'],
    ['2.555', '小数最多保留 2 位，请重新输入。'],
    ['-0.5', '数字不能小于 0，请重新输入。'],
    ['100.01', '数字不能大于 100，请重新输入。'],
    ['1,000', '数字不能大于 100，请重新输入。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text))).toBe(message);
  });

  it('maxDecimals 0 refuses any fraction', () => {
    const whole: InputSpec = { type: 'decimal', maxDecimals: 0 };
    expect(accepted(parse(whole, '3'))).toBe(3);
    expect(rejection(parse(whole, '3.0'))).toBe('小数最多保留 0 位，请重新输入。');
  });
});

describe('choice input (registration membership: 正式党员 / 预备党员)', () => {
  const spec = askStep('membership').input;
  const c = () => ctx('membership');

  it.each([
    ['1', 'full'],
    ['２', 'probationary'],
    ['正式党员', 'full'],
    [' 预备党员 ', 'probationary'],
    ['Full member', 'full'],
    ['PROBATIONARY MEMBER', 'probationary'],
    ['正式', 'full'],
    ['预备', 'probationary'],
    ['full', 'full'],
  ])('accepts %j as %j', (text, value) => {
    expect(accepted(parse(spec, text, c()))).toBe(value);
  });

  it('accepts a button press by choice id', () => {
    expect(accepted(parse(spec, { type: 'choice', choiceId: 'probationary' }, c()))).toBe('probationary');
  });

  it('accepts the English label while the conversation is in Chinese, and the Chinese label in English', () => {
    expect(accepted(parse(spec, 'Probationary member', ctx('membership', { locale: 'zh-CN' })))).toBe('probationary');
    expect(accepted(parse(spec, '正式党员', ctx('membership', { locale: 'en' })))).toBe('full');
  });

  it.each(['0', '3', '99', '３'])('regression: the out-of-range number %j got the generic "choose below" text; it now says the number does not exist', (text) => {
    const outcome = parse(spec, text, c());
    const n = text === '３' ? '3' : text;
    expect(rejection(outcome)).toBe(`没有第 ${n} 项：共 2 个选项，请从下面的选项中选择，或直接回复选项文字。`);
    expect(outcome.kind === 'reject' && outcome.numberedMessage).toBe(`没有编号 ${n}：请回复 1 到 2 之间的编号，或直接回复选项文字。`);
    expect(outcome.kind === 'reject' && outcome.choices?.map((ch) => ch.label)).toEqual(['正式党员', '预备党员']);
  });

  it.each(['党员', '我不知道'])('rejects %j with the option count and re-offers the options', (text) => {
    const outcome = parse(spec, text, c());
    expect(rejection(outcome)).toBe('请从下面的选项中选择，或直接回复选项文字。');
    expect(outcome.kind === 'reject' && outcome.numberedMessage).toBe('请回复 1 到 2 之间的编号，或直接回复选项文字。');
    expect(outcome.kind === 'reject' && outcome.choices?.map((ch) => ch.label)).toEqual(['正式党员', '预备党员']);
  });

  it('rejects a picture', () => {
    expect(rejection(parse(spec, { type: 'image', mediaRef: 'x' }, c()))).toBe('请从下面的选项中选择，或直接回复选项文字。');
  });

  it('renders the rejection in English for an English conversation', () => {
    expect(rejection(parse(spec, 'maybe', ctx('membership', { locale: 'en' })))).toBe(
      "Please choose one of the options below, or reply with the option's text.",
    );
  });
});

describe('multi-select choice input', () => {
  // The education question's options, made multi-select: 初中及以下 / 高中/中专 / 大专 / 本科 / 研究生.
  const base = askStep('education').input;
  if (base.type !== 'choice') throw new Error('education is a choice question');
  const spec: InputSpec = { ...base, multi: true };
  const c = () => ctx('education');

  it.each([
    ['1,3', ['juniorHigh', 'college']],
    ['1、3', ['juniorHigh', 'college']],
    ['1，3', ['juniorHigh', 'college']],
    ['1 3', ['juniorHigh', 'college']],
    ['3;1', ['college', 'juniorHigh']],
    ['1,1,3,3', ['juniorHigh', 'college']],
    ['本科、研究生', ['bachelor', 'postgraduate']],
    ['２,大专', ['highSchool', 'college']],
    ['4', ['bachelor']],
  ])('accepts %j as %j', (text, value) => {
    expect(accepted(parse(spec, text, c()))).toEqual(value);
  });

  it.each([
    ['1,9', '9'],
    ['1、博士后', '博士后'],
    ['0', '0'],
  ])('rejects %j naming the bad token %j', (text, token) => {
    expect(rejection(parse(spec, text, c()))).toBe(`“${token}”不是有效选项。可以多选，请从下面的选项中选择，或回复选项文字，用逗号分隔。`);
  });

  it('rejects an answer that has no token at all', () => {
    expect(rejection(parse(spec, ' , ', c()))).toContain('不是有效选项');
  });

  it('regression: a multi-select answer using an English label with a space is split into words and rejected', () => {
    // "Full member" is the English label of an option; in a single-choice question it is accepted (see above),
    // but the multi-select tokenizer splits on spaces first, so "Full" is reported as not an option.
    const membership = askStep('membership').input;
    if (membership.type !== 'choice') throw new Error('membership is a choice question');
    const multi: InputSpec = { ...membership, multi: true };
    expect(parse(multi, 'Full member', ctx('membership', { locale: 'en' }))).toEqual({ kind: 'accept', value: ['full'] });
  });
});

describe('yes/no input', () => {
  const spec: InputSpec = { type: 'yesno' };

  it.each([
    ['是', true],
    ['是的', true],
    ['对', true],
    ['y', true],
    ['Y', true],
    ['yes', true],
    ['YES!', true],
    ['1', true],
    ['１', true],
    ['否', false],
    ['不是', false],
    ['不对', false],
    ['n', false],
    ['no', false],
    ['2', false],
  ])('reads %j as %s', (text, value) => {
    expect(accepted(parse(spec, text, ctx('idConfirm')))).toBe(value);
  });

  it('reads the yes/no buttons by id', () => {
    expect(accepted(parse(spec, { type: 'choice', choiceId: 'yes' }, ctx('idConfirm')))).toBe(true);
    expect(accepted(parse(spec, { type: 'choice', choiceId: 'no' }, ctx('idConfirm')))).toBe(false);
  });

  it.each(['也许', '3', 'yesno', '', '是不是'])('rejects %j and offers 是/否', (text) => {
    const outcome = parse(spec, text, ctx('idConfirm'));
    expect(rejection(outcome)).toBe('请回复“是”或“否”。');
    expect(outcome.kind === 'reject' && outcome.choices?.map((ch) => ch.label)).toEqual(['是', '否']);
  });
});

describe('date input', () => {
  const spec: InputSpec = { type: 'date', notFuture: false };

  it.each([
    ['2024-03-01', '2024-03-01'],
    ['2024/3/1', '2024-03-01'],
    ['2024.3.1', '2024-03-01'],
    ['2024年3月1日', '2024-03-01'],
    ['2024年3月1号', '2024-03-01'],
    ['2024 年 3 月 1 日', '2024-03-01'],
    ['２０２４－０３－０１', '2024-03-01'],
    ['２０２４年３月１日', '2024-03-01'],
    ['20240301', '2024-03-01'],
    ['2024-02-29', '2024-02-29'],
  ])('reads %j as %j', (text, value) => {
    expect(accepted(parse(spec, text, ctx('joinDate')))).toBe(value);
  });

  it.each([
    ['2024-02-30', '这个日期不存在，请检查月份和日期，例如“2024-02-29”“2024-03-01”。'],
    ['2023-02-29', '这个日期不存在，请检查月份和日期，例如“2024-02-29”“2024-03-01”。'],
    ['2024-13-01', '这个日期不存在，请检查月份和日期，例如“2024-02-29”“2024-03-01”。'],
    ['2024/3-1', '日期格式不正确，请按“2024-03-01”、“2024/3/1”或“2024年3月1日”的格式输入。'],
    ['去年三月', '日期格式不正确，请按“2024-03-01”、“2024/3/1”或“2024年3月1日”的格式输入。'],
    ['3/1/2024', '日期格式不正确，请按“2024-03-01”、“2024/3/1”或“2024年3月1日”的格式输入。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text, ctx('joinDate')))).toBe(message);
  });

  it('notFuture accepts today and refuses tomorrow, naming today', () => {
    const notFuture: InputSpec = { type: 'date', notFuture: true };
    expect(accepted(parse(notFuture, '2026-03-01', ctx('joinDate')))).toBe('2026-03-01');
    expect(rejection(parse(notFuture, '2026-03-02', ctx('joinDate')))).toBe('日期不能晚于今天（2026-03-01），请重新输入。');
  });

  it('min and max are inclusive and named in the message', () => {
    const bounded: InputSpec = { type: 'date', min: '1921-07-01', max: '2000-12-31', notFuture: false };
    expect(accepted(parse(bounded, '1921-07-01', ctx('joinDate')))).toBe('1921-07-01');
    expect(accepted(parse(bounded, '2000-12-31', ctx('joinDate')))).toBe('2000-12-31');
    expect(rejection(parse(bounded, '1921-06-30', ctx('joinDate')))).toBe('日期不能早于 1921-07-01，请重新输入。');
    expect(rejection(parse(bounded, '2001-01-01', ctx('joinDate')))).toBe('日期不能晚于 2000-12-31，请重新输入。');
  });

  it('the registration joinDate question combines min 1921-07-01 with notFuture', () => {
    const joinDate = askStep('joinDate').input;
    expect(accepted(parse(joinDate, '2010年7月1日', ctx('joinDate')))).toBe('2010-07-01');
    expect(rejection(parse(joinDate, '1900-01-01', ctx('joinDate')))).toBe('日期不能早于 1921-07-01，请重新输入。');
    expect(rejection(parse(joinDate, '2030-01-01', ctx('joinDate')))).toBe('日期不能晚于今天（2026-03-01），请重新输入。');
  });

  it('rejects a picture with the format message', () => {
    expect(rejection(parse(spec, { type: 'image', mediaRef: 'x' }, ctx('joinDate')))).toContain('日期格式不正确');
  });
});

describe('yearMonth input', () => {
  const spec: InputSpec = { type: 'yearMonth', notFuture: false };

  it.each([
    ['2024-03', '2024-03'],
    ['2024/3', '2024-03'],
    ['2024年3月', '2024-03'],
    ['2024年3', '2024-03'],
    ['202403', '2024-03'],
    ['２０２４－０３', '2024-03'],
  ])('reads %j as %j', (text, value) => {
    expect(accepted(parse(spec, text, ctx('workStart')))).toBe(value);
  });

  it.each([
    ['2024-13', '月份应在 1 到 12 之间，例如“2024-03”。'],
    ['2024-00', '月份应在 1 到 12 之间，例如“2024-03”。'],
    ['三月', '年月格式不正确，请按“2024-03”或“2024年3月”的格式输入。'],
    ['2024-03-01', '年月格式不正确，请按“2024-03”或“2024年3月”的格式输入。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text, ctx('workStart')))).toBe(message);
  });

  it('notFuture accepts this month and refuses the next', () => {
    const notFuture: InputSpec = { type: 'yearMonth', notFuture: true };
    expect(accepted(parse(notFuture, '2026-03', ctx('workStart')))).toBe('2026-03');
    expect(rejection(parse(notFuture, '2026-04', ctx('workStart')))).toBe('年月不能晚于本月，例如填写本月或更早的月份（如“2024-03”）。');
  });

  it('min and max are inclusive and named in the message', () => {
    const bounded: InputSpec = { type: 'yearMonth', min: '2000-01', max: '2010-12', notFuture: false };
    expect(accepted(parse(bounded, '2000-01', ctx('workStart')))).toBe('2000-01');
    expect(accepted(parse(bounded, '2010-12', ctx('workStart')))).toBe('2010-12');
    expect(rejection(parse(bounded, '1999-12', ctx('workStart')))).toBe('年月不能早于 2000-01，请重新输入。');
    expect(rejection(parse(bounded, '2011-01', ctx('workStart')))).toBe('年月不能晚于 2010-12，请重新输入。');
  });
});

describe('mobile input', () => {
  const spec: InputSpec = { type: 'mobile' };

  it.each([
    ['13812345678', '13812345678'],
    ['+86 138 1234 5678', '13812345678'],
    ['+8613812345678', '13812345678'],
    ['0086 13812345678', '13812345678'],
    ['138-1234-5678', '13812345678'],
    ['１３８ １２３４ ５６７８', '13812345678'],
    ['19912345678', '19912345678'],
  ])('reads %j as %j', (text, value) => {
    expect(accepted(parse(spec, text, ctx('mobile')))).toBe(value);
  });

  it.each([
    ['12812345678', '手机号应以 13–19 开头，例如 13812345678，请检查号码。'],
    ['23812345678', '手机号应以 13–19 开头，例如 13812345678，请检查号码。'],
    ['+1 415 555 0100', '手机号应以 13–19 开头，例如 13812345678，请检查号码。'],
    ['1381234567', '手机号应为 11 位数字，例如 13812345678，请检查位数。'],
    ['138123456789', '手机号应为 11 位数字，例如 13812345678，请检查位数。'],
    ['+86 138 1234 567', '手机号应为 11 位数字，例如 13812345678，请检查位数。'],
    ['138abcd5678', '手机号格式不正确，请输入 11 位手机号（如 13812345678）。'],
    ['我的手机', '手机号格式不正确，请输入 11 位手机号（如 13812345678）。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text, ctx('mobile')))).toBe(message);
  });
});

describe('idNumber input', () => {
  const spec: InputSpec = { type: 'idNumber' };
  const valid = makeIdNumber('320102', '19850312', '123'); // 17th digit 3: odd, male

  /** A valid number whose check character is X. */
  function withCheckX(): string {
    for (let seq = 100; seq < 1000; seq++) {
      const id = makeIdNumber('320102', '19900101', String(seq));
      if (id.endsWith('X')) return id;
    }
    throw new Error('no sequence gives check character X');
  }

  it('accepts a valid number and derives birth date, gender, region and the masked form', () => {
    expect(accepted(parse(spec, valid, ctx('idNumber')))).toEqual({
      number: valid,
      masked: `320***********${valid.slice(-4)}`,
      birthDate: '1985-03-12',
      gender: 'male',
      regionCode: '320102',
    });
  });

  it('derives female from an even 17th digit', () => {
    const female = makeIdNumber('110105', '19491231', '002');
    expect(accepted(parse(spec, female, ctx('idNumber')))).toMatchObject({ birthDate: '1949-12-31', gender: 'female', regionCode: '110105' });
  });

  it('accepts a lower-case x and stores it in upper case', () => {
    const x = withCheckX();
    expect(accepted(parse(spec, x.toLowerCase(), ctx('idNumber')))).toMatchObject({ number: x });
  });

  it('accepts full-width digits and spaces', () => {
    const spaced = `${valid.slice(0, 6)} ${valid.slice(6, 14)} ${valid.slice(14)}`.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    expect(accepted(parse(spec, spaced, ctx('idNumber')))).toMatchObject({ number: valid });
  });

  const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
  it.each([
    [wrongCheck, '身份证号校验位不正确：请对照身份证核对全部 18 位'],
    [valid.slice(0, 17), '身份证号应为 18 位，例如 32010219850312123X，请检查位数。'],
    [`${valid}1`, '身份证号应为 18 位，例如 32010219850312123X，请检查位数。'],
    ['32010219850312123A', '身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X，例如 32010219850312123X。'],
    ['3201021985X3121234', '身份证号格式不正确：前 17 位应为数字，最后一位为数字或 X，例如 32010219850312123X。'],
    [makeIdNumber('320102', '19850230', '123'), '身份证号中的出生日期不正确（第 7–14 位应为出生年月日，例如 32010219850312123X 中的 19850312），请核对。'],
    [makeIdNumber('320102', '20270101', '123'), '身份证号中的出生日期不正确（第 7–14 位应为出生年月日，例如 32010219850312123X 中的 19850312），请核对。'],
  ])('rejects %j with %j', (text, message) => {
    expect(rejection(parse(spec, text, ctx('idNumber')))).toContain(message);
  });

  it('the wrong check digit message is exactly the template text', () => {
    expect(rejection(parse(spec, wrongCheck, ctx('idNumber')))).toBe('身份证号校验位不正确：请对照身份证核对全部 18 位，特别是最后一位（数字或 X）。');
  });

  it('shows the number masked when formatted back', () => {
    const value = accepted(parse(spec, valid, ctx('idNumber')));
    const formatted = inputHandler(spec).format(spec, value as never, ctx('idNumber'));
    expect(formatted).toBe(`320***********${valid.slice(-4)}`);
    expect(formatted).not.toContain(valid.slice(6, 14));
  });
});

describe('image input', () => {
  const spec: InputSpec = { type: 'image', optional: false };

  it('accepts a picture as its media reference', () => {
    expect(accepted(parse(spec, { type: 'image', mediaRef: 'media-42' }, ctx('name', { images: true })))).toEqual({ mediaRef: 'media-42' });
  });

  it('rejects text on a channel that can carry pictures', () => {
    expect(rejection(parse(spec, '我没有图片', ctx('name', { images: true })))).toBe('请发送一张图片。');
  });

  it('rejects text on a channel without pictures with the channel explanation', () => {
    expect(rejection(parse(spec, '图片', ctx('name', { images: false })))).toBe('当前渠道不能发送图片，请在微信中办理这一步，或回复“取消”。');
  });
});

describe('region input (walking the tree)', () => {
  const spec = askStep('region').input; // leafOnly
  const atPath = (...path: string[]) => ctx('region', { pending: path.length ? { kind: 'tree', path } : null });

  function continued(outcome: InputOutcome): { path: string[]; text: string; labels: string[] } {
    if (outcome.kind !== 'continue') throw new Error(`expected to continue down the tree, got ${JSON.stringify(outcome)}`);
    if (outcome.pending.kind !== 'tree') throw new Error('expected a tree pending');
    return { path: outcome.pending.path, text: outcome.text, labels: outcome.choices.map((c) => c.label) };
  }

  it('offers the provinces first', () => {
    const choices = inputHandler(spec).choices!(spec, atPath());
    expect(choices.map((c) => c.label)).toEqual(['江苏省', '浙江省']);
  });

  it.each([
    ['names', ['江苏', '南京', '玄武']],
    ['full names', ['江苏省', '南京市', '玄武区']],
    ['numbers', ['1', '1', '1']],
    ['full-width numbers', ['１', '１', '１']],
    ['codes', ['320000', '320100', '320102']],
    ['English names', ['Jiangsu', 'Nanjing City', 'Xuanwu District']],
  ])('walks 江苏 → 南京 → 玄武 by %s', (_how, [province, city, county]) => {
    const first = continued(parse(spec, province!, atPath()));
    expect(first.path).toEqual(['320000']);
    expect(first.text).toBe('已选择：江苏省。请继续选择下一级：');
    expect(first.labels).toContain('南京市');
    expect(first.labels).toContain('返回上一级');

    const second = continued(parse(spec, city!, atPath(...first.path)));
    expect(second.path).toEqual(['320000', '320100']);
    expect(second.text).toBe('已选择：江苏省 / 南京市。请继续选择下一级：');
    expect(second.labels).toContain('玄武区');

    expect(accepted(parse(spec, county!, atPath(...second.path)))).toBe('320102');
  });

  it('accepts button presses by code', () => {
    const first = continued(parse(spec, { type: 'choice', choiceId: '320000' }, atPath()));
    const second = continued(parse(spec, { type: 'choice', choiceId: '320100' }, atPath(...first.path)));
    expect(accepted(parse(spec, { type: 'choice', choiceId: '320102' }, atPath(...second.path)))).toBe('320102');
  });

  it('a full county code typed at the top is accepted at once', () => {
    expect(accepted(parse(spec, '320102', atPath()))).toBe('320102');
  });

  it('a city code typed at the top jumps to that city', () => {
    expect(continued(parse(spec, '320100', atPath())).path).toEqual(['320000', '320100']);
  });

  it('"上一级" goes up one level, and from the first level back to the provinces', () => {
    const up = continued(parse(spec, '上一级', atPath('320000', '320100')));
    expect(up.path).toEqual(['320000']);
    expect(up.text).toBe('已选择：江苏省。请继续选择下一级：');
    expect(up.labels).toContain('南京市');

    const top = continued(parse(spec, '上一级', atPath('320000')));
    expect(top.path).toEqual([]);
    expect(top.text).toBe('请选择所在省份：');
    expect(top.labels).toEqual(['江苏省', '浙江省']);
  });

  it('regression: typing the shown label 返回上一级 (or 就选这一级) is not understood', () => {
    expect(continued(parse(spec, '返回上一级', atPath('320000', '320100'))).path).toEqual(['320000']);
    const anyLevel: InputSpec = { type: 'region', leafOnly: false };
    expect(accepted(parse(anyLevel, '就选这一级', atPath('320000')))).toBe('320000');
  });

  it('the up button works by its id', () => {
    expect(continued(parse(spec, { type: 'choice', choiceId: '__up' }, atPath('320000', '320100'))).path).toEqual(['320000']);
  });

  it.each([
    ['火星', []],
    ['杭州', ['320000']], // a city of another province
    ['99', ['320000']],
    ['330400', ['320000']], // a code outside the current level
    ['上海', []],
  ])('rejects %j at %j with the not-found message and the current level again', (text, path) => {
    const outcome = parse(spec, text, atPath(...path));
    expect(rejection(outcome)).toBe('没有找到这个地区，请从列表中选择，或回复地区名称。');
    expect(outcome.kind === 'reject' && outcome.choices?.length).toBeGreaterThan(0);
  });

  it('walks down to a street where the tree has one (平湖市 → 当湖街道)', () => {
    const pinghu = continued(parse(spec, '330482', atPath()));
    expect(pinghu.path).toEqual(['330000', '330400', '330482']);
    expect(accepted(parse(spec, '当湖', atPath(...pinghu.path)))).toBe('330482001');
  });

  it('without leafOnly the user may stop at a level with 就选这一级', () => {
    const anyLevel: InputSpec = { type: 'region', leafOnly: false };
    const first = continued(parse(anyLevel, '江苏', atPath()));
    expect(first.labels).toContain('就选这一级');
    expect(accepted(parse(anyLevel, { type: 'choice', choiceId: '__here' }, atPath(...first.path)))).toBe('320000');
  });

  it('formats an answer as the path of names in the conversation language', () => {
    expect(inputHandler(spec).format(spec, '320102', atPath())).toBe('江苏省 / 南京市 / 玄武区');
    expect(inputHandler(spec).format(spec, '320102', ctx('region', { locale: 'en' }))).toBe('Jiangsu Province / Nanjing City / Xuanwu District');
  });
});

describe('choice options computed by an action (optionsFrom)', () => {
  const spec = { type: 'choice' as const, options: [], optionsFrom: 'vars.levels.value.options', multi: false };
  const vars = { levels: { ok: true, value: { options: [{ value: 'junior', label: '初级（可申报）' }, { value: 'senior', label: '高级（暂不符合）' }] } } };
  const handler = inputHandler(spec);

  it('offers the computed options and accepts their number, label or value', () => {
    const c = ctx('membership', { vars });
    expect(handler.choices!(spec, c)).toEqual([
      { id: 'junior', label: '初级（可申报）' },
      { id: 'senior', label: '高级（暂不符合）' },
    ]);
    expect(handler.parse(spec, { type: 'text', text: '2' }, c)).toEqual({ kind: 'accept', value: 'senior' });
    expect(handler.parse(spec, { type: 'text', text: '初级（可申报）' }, c)).toEqual({ kind: 'accept', value: 'junior' });
    expect(handler.parse(spec, { type: 'choice', choiceId: 'junior' }, c)).toEqual({ kind: 'accept', value: 'junior' });
    expect(handler.format(spec, 'senior', c)).toBe('高级'); // the summary shows the level, not its status note
  });

  it('rejects anything else, and offers nothing when the action gave no options', () => {
    expect(handler.parse(spec, { type: 'text', text: '3' }, ctx('membership', { vars })).kind).toBe('reject');
    expect(handler.choices!(spec, ctx('membership'))).toEqual([]);
  });
});

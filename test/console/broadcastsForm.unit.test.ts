import { describe, expect, it } from 'vitest';
import { bodyOf, editOf, emptyForm, formOf, regionPrefix, segmentOf, segmentSummary, type ComposeForm } from '../../console/src/features/broadcasts/composeForm.ts';

const NOW = new Date('2026-03-01T02:00:00.000Z');
const ADMIN_REGION = '320100';

function form(over: Partial<ComposeForm> = {}): ComposeForm {
  return { ...emptyForm(), textZh: '{name}，您好：培训通知', ...over };
}

describe('broadcast compose form → API body', () => {
  it('an untouched segment is empty: no filter means every worker in the admin region, not nobody', () => {
    const r = bodyOf(form(), ADMIN_REGION, NOW);
    expect(r).toEqual({ ok: true, body: { text: { 'zh-CN': '{name}，您好：培训通知' }, segment: {}, urgent: false, inFlight: 'hold' } });
  });

  it('puts every Segment field of the contract in the body, in its API shape', () => {
    const f = form({
      textEn: 'Hello {name}',
      region: ' 320102 ',
      roles: ['secretary'],
      levels: ['intermediate'],
      appliedLevels: ['senior'],
      certificateStatus: ['valid', 'suspended'],
      stages: ['trainingTest'],
      enrolmentSessionId: 's1',
      enrolled: false,
      hoursShort: true,
      channels: ['telegram', 'sim'],
      sessionId: 's2',
      when: 'at',
      sendAt: new Date('2026-03-02T01:00:00.000Z'),
      expiresAt: new Date('2026-03-05T01:00:00.000Z'),
      urgent: true,
      inFlight: 'resend',
    });
    const r = bodyOf(f, ADMIN_REGION, NOW);
    expect(r).toEqual({
      ok: true,
      body: {
        text: { 'zh-CN': '{name}，您好：培训通知', en: 'Hello {name}' },
        segment: {
          region: '320102',
          roles: ['secretary'],
          levels: ['intermediate'],
          appliedLevels: ['senior'],
          certificateStatus: ['valid', 'suspended'],
          stages: ['trainingTest'],
          session: { id: 's1', enrolled: false },
          hoursShort: true,
          channels: ['telegram', 'sim'],
        },
        sessionId: 's2',
        sendAt: '2026-03-02T01:00:00.000Z',
        expiresAt: '2026-03-05T01:00:00.000Z',
        urgent: true,
        inFlight: 'resend',
      },
    });
  });

  it('round-trips: a saved broadcast read back into the form gives the same body', () => {
    const f = form({ region: '3201', levels: ['junior'], enrolmentSessionId: 's1', enrolled: true, channels: ['wechat-oa'], when: 'at', sendAt: new Date('2026-03-02T01:00:00.000Z') });
    const first = bodyOf(f, ADMIN_REGION, NOW);
    if (!first.ok) throw new Error(first.problem);
    const again = bodyOf(formOf({ ...first.body, urgent: false, inFlight: 'hold' }), ADMIN_REGION, NOW);
    expect(again).toEqual(first);
  });

  it('"send now" leaves a send time picked earlier out of the body', () => {
    const r = bodyOf(form({ when: 'now', sendAt: new Date('2026-03-02T01:00:00.000Z') }), ADMIN_REGION, NOW);
    expect(r.ok).toBe(true);
    expect(r.ok && 'sendAt' in r.body).toBe(false);
  });

  it.each([
    ['no Chinese text', { textZh: '   ' }, 'broadcasts.problem.textMissing'],
    ['text too long', { textZh: 'x'.repeat(2001) }, 'broadcasts.problem.textLong'],
    ['a region that is not digits', { region: '32a1' }, 'broadcasts.problem.regionFormat'],
    ['a region outside the admin region', { region: '3202' }, 'broadcasts.problem.regionOutside'],
    ['a province prefix above a city admin', { region: '32' }, 'broadcasts.problem.regionOutside'],
    ['"at a time" without a time', { when: 'at' as const }, 'broadcasts.problem.sendAtMissing'],
    ['a send time in the past', { when: 'at' as const, sendAt: new Date('2026-03-01T01:59:00.000Z') }, 'broadcasts.problem.sendAtPast'],
    ['an expiry before now', { expiresAt: new Date('2026-03-01T01:00:00.000Z') }, 'broadcasts.problem.expiresBeforeSend'],
    [
      'an expiry before the send time',
      { when: 'at' as const, sendAt: new Date('2026-03-03T00:00:00.000Z'), expiresAt: new Date('2026-03-02T00:00:00.000Z') },
      'broadcasts.problem.expiresBeforeSend',
    ],
  ])('refuses %s, naming the problem', (_what, over, problem) => {
    const r = bodyOf(form(over), ADMIN_REGION, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toBe(problem);
  });

  it("says which prefix the region must start with (the admin's own)", () => {
    const r = bodyOf(form({ region: '3202' }), ADMIN_REGION, NOW);
    expect(!r.ok && r.params).toEqual({ own: '3201' });
  });

  it('region prefixes: a province, a city, a county', () => {
    expect(regionPrefix('320000')).toBe('32');
    expect(regionPrefix('320100')).toBe('3201');
    expect(regionPrefix('320102')).toBe('320102');
    expect(regionPrefix('320102001')).toBe('320102001');
  });

  it('copies lists, so editing the form later does not change a body already built', () => {
    const f = form({ roles: ['staff'] });
    const seg = segmentOf(f);
    f.roles.push('other');
    expect(seg.roles).toEqual(['staff']);
  });

  it('summarises a segment one line per filter, with labels from the page', () => {
    const label = (field: string, value?: string) => (value === undefined ? `<${field}>` : value.toUpperCase());
    const lines = segmentSummary({ region: '3201', roles: ['staff', 'other'], session: { id: 's1', enrolled: false }, hoursShort: true }, label);
    expect(lines).toEqual(['<region>: 3201', '<roles>: STAFF、OTHER', '<session>: s1 (NOTENROLLED)', '<hoursShort>']);
  });
});

describe('broadcast edit body', () => {
  it('regression: clearing the send time of a saved draft kept the old one (PATCH leaves absent fields alone)', () => {
    const r = bodyOf(form({ when: 'now' }), ADMIN_REGION, NOW);
    if (!r.ok) throw new Error(r.problem);
    expect(editOf(r.body)).toMatchObject({ sendAt: null, expiresAt: null, sessionId: null });
  });

  it('keeps the values that are set', () => {
    const r = bodyOf(form({ sessionId: 's1', when: 'at', sendAt: new Date('2026-03-02T01:00:00.000Z') }), ADMIN_REGION, NOW);
    if (!r.ok) throw new Error(r.problem);
    expect(editOf(r.body)).toMatchObject({ sessionId: 's1', sendAt: '2026-03-02T01:00:00.000Z', expiresAt: null });
  });
});

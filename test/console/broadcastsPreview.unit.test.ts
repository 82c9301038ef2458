import { describe, expect, it } from 'vitest';
import { insertAt, placeholderProblems, renderPreview } from '../../console/src/features/broadcasts/preview.ts';

describe('broadcast text placeholders and preview', () => {
  it('inserts a placeholder at the caret and puts the caret after it', () => {
    expect(insertAt('您好，请参加', 2, 2, 'name')).toEqual({ text: '您好{name}，请参加', caret: 8 });
  });

  it('replaces a selection, and appends when the caret is unknown', () => {
    expect(insertAt('Dear X,', 5, 6, 'name')).toEqual({ text: 'Dear {name},', caret: 11 });
    expect(insertAt('培训：', undefined, undefined, 'session')).toEqual({ text: '培训：{session}', caret: 12 });
  });

  it('a caret beyond the text (text changed meanwhile) is kept inside it', () => {
    expect(insertAt('ab', 10, 12, 'place').text).toBe('ab{place}');
  });

  it('previews with sample values, as plain text: markup stays literal characters', () => {
    expect(renderPreview('{name}：<b>{session}</b> {startsAt}', { name: '张三', session: '<script>x</script>', startsAt: '2026-03-02 09:00' })).toBe(
      '张三：<b><script>x</script></b> 2026-03-02 09:00',
    );
  });

  it('leaves unknown or empty placeholders visible', () => {
    expect(renderPreview('{nmae} {session}', { name: '张三', session: '' })).toBe('{nmae} {session}');
  });

  it('names what the server would refuse: unknown braces, and session placeholders without a session', () => {
    expect(placeholderProblems('{nmae} {name} {nmae} {} {place}', false)).toEqual({ unknown: ['nmae', ''], needSession: ['place'] });
    expect(placeholderProblems('{name} {session} {startsAt}', true)).toEqual({ unknown: [], needSession: [] });
  });
});

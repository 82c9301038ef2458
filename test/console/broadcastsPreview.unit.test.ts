import { describe, expect, it } from 'vitest';
import { insertAt, renderPreview, unknownPlaceholders } from '../../console/src/features/broadcasts/preview.ts';

describe('broadcast text placeholders and preview', () => {
  it('inserts a placeholder at the caret and puts the caret after it', () => {
    expect(insertAt('您好，请参加', 2, 2, 'name')).toEqual({ text: '您好{{name}}，请参加', caret: 10 });
  });

  it('replaces a selection, and appends when the caret is unknown', () => {
    expect(insertAt('Dear X,', 5, 6, 'name')).toEqual({ text: 'Dear {{name}},', caret: 13 });
    expect(insertAt('培训：', undefined, undefined, 'session')).toEqual({ text: '培训：{{session}}', caret: 14 });
  });

  it('a caret beyond the text (text changed meanwhile) is kept inside it', () => {
    expect(insertAt('ab', 10, 12, 'name').text).toBe('ab{{name}}');
  });

  it('previews with sample values, as plain text: markup stays literal characters', () => {
    expect(renderPreview('{{name}}：<b>{{ session }}</b>', { name: '张三', session: '<script>x</script>' })).toBe('张三：<b><script>x</script></b>');
  });

  it('leaves unknown or empty placeholders visible, and names the unknown ones', () => {
    expect(renderPreview('{{nmae}} {{session}}', { name: '张三', session: '' })).toBe('{{nmae}} {{session}}');
    expect(unknownPlaceholders('{{nmae}} {{name}} {{nmae}} {{foo}}')).toEqual(['nmae', 'foo']);
  });
});

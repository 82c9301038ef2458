import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/templates/translator.ts';

const t = createTranslator(
  {
    'zh-CN': {
      common: { plain: '你好', simple: '你好，{{name}}', onlyZh: '仅中文 {{n}}', yes: '是', no: '否' },
      labels: { a: { long: '很长很长的选项甲' }, b: { long: '很长很长的选项乙' }, c: { long: '很长很长的选项丙' } },
      nested: { three: '$t(labels:{{x}}.long)、$t(labels:{{y}}.long)、$t(labels:{{z}}.long)', answer: '回答：$t(common:{{v}})' },
    },
    en: { common: { plain: 'Hello', simple: 'Hello, {{name}}', yes: 'Yes', no: 'No' }, nested: { answer: 'Answer: $t(common:{{v}})' } },
  },
  'zh-CN',
);

describe('translator', () => {
  it('renders plain text, placeholders and nested templates in each locale', () => {
    expect(t.t('zh-CN', 'common:plain')).toBe('你好');
    expect(t.t('en', 'common:simple', { name: 'Li' })).toBe('Hello, Li');
    expect(t.t('zh-CN', 'nested:answer', { v: 'yes' })).toBe('回答：是');
    expect(t.t('en', 'nested:answer', { v: 'no' })).toBe('Answer: No');
  });

  it('builds lazy parameters only for templates that have placeholders', () => {
    let built = 0;
    const params = () => {
      built++;
      return { name: '王' };
    };
    expect(t.t('zh-CN', 'common:plain', params)).toBe('你好');
    expect(built).toBe(0);
    expect(t.t('zh-CN', 'common:simple', params)).toBe('你好，王');
    expect(built).toBe(1);
  });

  it('falls back to the default locale for a key one locale lacks, and to unknown locales', () => {
    expect(t.t('en', 'common:onlyZh', { n: 1 })).toBe('仅中文 1');
    expect(t.t('fr', 'common:plain')).toBe('你好');
    expect(t.has('en', 'common:onlyZh')).toBe(false);
    expect(t.has('zh-CN', 'common:onlyZh')).toBe(true);
  });

  it('regression: every nested template is resolved even when a replacement shortens the text', () => {
    expect(t.t('zh-CN', 'nested:three', { x: 'a', y: 'b', z: 'c' })).toBe('很长很长的选项甲、很长很长的选项乙、很长很长的选项丙');
  });

  it('regression: a key ending in an inherited name (an option `constructor`) found Object\'s property, not a missing template', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const key = `labels:a.${name}`;
      expect(t.has('zh-CN', key), key).toBe(false);
      expect(t.t('zh-CN', key), key).toBe(`a.${name}`);
      expect(t.has('zh-CN', `common:${name}`), name).toBe(false);
    }
  });

  it('resolves plural forms through i18next', () => {
    const plural = createTranslator({ 'zh-CN': { common: { files_other: '{{count}} 个文件' } }, en: { common: { files_one: 'one file', files_other: '{{count}} files' } } }, 'zh-CN');
    expect(plural.t('en', 'common:files', { count: 1 })).toBe('one file');
    expect(plural.t('en', 'common:files', { count: 3 })).toBe('3 files');
    expect(plural.t('zh-CN', 'common:files', { count: 3 })).toBe('3 个文件');
  });

  it('never evaluates code in parameters', () => {
    expect(t.t('zh-CN', 'common:simple', { name: '{{constructor.constructor}}' })).toBe('你好，{{constructor.constructor}}');
  });
});

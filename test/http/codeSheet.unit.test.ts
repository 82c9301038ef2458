import { describe, expect, it } from 'vitest';
import { codesHtml, type CodeSheetWords } from '../../src/http/polls/codeSheet.ts';

/** The printable sheet escapes everything it prints: codes, links and the template's words. */
const words: CodeSheetWords = {
  lang: 'en"><script>',
  title: (poll) => `Codes ${poll}`,
  cardTitle: 'Poll & <b>card</b>',
  hint: (code) => `send "poll ${code}"`,
  groups: { owner: 'Owner <i>', member: 'Member', employee: 'Employee' },
};

describe('codesHtml', () => {
  it('escapes the codes, links and words it prints, and draws a QR code per card', async () => {
    const raw = await codesHtml('p<1>', [{ group: 'owner', code: '<img src=x>', url: 'https://x.test/p/a?b=1&c="2"' }], words);
    expect(raw).toContain('<html lang="en&quot;&gt;&lt;script&gt;">');
    expect(raw).toContain('<title>Codes p&lt;1&gt;</title>');
    expect(raw).toContain('<div class="title">Poll &amp; &lt;b&gt;card&lt;/b&gt;</div>');
    expect(raw).toContain('<div class="group">Owner &lt;i&gt;</div>');
    expect(raw).toContain('<div class="code">&lt;img src=x&gt;</div>');
    expect(raw).toContain('<div class="hint">send &quot;poll &lt;img src=x&gt;&quot;</div>');
    expect(raw).toContain('<div class="url">https://x.test/p/a?b=1&amp;c=&quot;2&quot;</div>');
    expect(raw).not.toContain('<img');
    expect(raw).not.toContain('<script');
    expect(raw.match(/<svg/g)).toHaveLength(1);
  });
});

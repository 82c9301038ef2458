import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('logger', () => {
  it('masks ID and mobile numbers wherever they appear: message, fields, nested objects, errors', () => {
    const { logger, lines } = capture();
    logger.info('user typed 320102198503121234 and 13812345678');
    logger.info({ text: '身份证320102198503121234', nested: { deep: ['手机 13812345678'] } }, 'turn');
    logger.error({ err: new Error('bad id 320102198503121234') }, 'failed');
    logger.info({ idNumber: 'whatever', mobile: 'whatever' }, 'fields');
    const all = lines.join('\n');
    expect(all).not.toContain('320102198503121234');
    expect(all).not.toContain('13812345678');
    expect(all).toContain('320***********1234');
    expect(all).toContain('138****5678');
  });
});

import { describe, expect, it } from 'vitest';
import { maskName } from '../../../src/domain/pii/maskName.ts';

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张小三', '张*三'],
    ['欧阳小明', '欧**明'],
    ['Li Lei', 'L****i'],
    ['王', '王'],
    ['  赵六  ', '赵*'],
  ])('%s → %s', (name, masked) => expect(maskName(name)).toBe(masked));
});

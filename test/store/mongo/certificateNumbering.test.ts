import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import type { Certificate } from '../../../src/domain/certification/types.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { testDbUri } from '../../support/db.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('certificate_numbering'));
});
afterAll(() => connection.close());

const cert = (applicationId: string, regionCode: string): Omit<Certificate, 'number'> => ({
  applicationId,
  workerId: `w-${applicationId}`,
  policyId: 'jiangsu',
  level: 'intermediate',
  regionCode,
  scope: 'city',
  scopeRegionCode: `${regionCode.slice(0, 4)}00`,
  issuedOn: '2026-03-09',
  validUntil: '2029-03-08',
  status: 'valid',
  statusHistory: [],
});

describe('certificate numbering per issuing scope', () => {
  it('regression: two counties of one city got the same certificate numbers', async () => {
    const repo = createMongoCertificateRepository(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const format = (c: Omit<Certificate, 'number'>) => (seq: number) => `${c.scopeRegionCode}2026Z${String(seq).padStart(5, '0')}`;
    const a = cert('app-xuanwu', '320102');
    const b = cert('app-gulou', '320106');
    const first = await repo.issue(a, 2026, format(a));
    const second = await repo.issue(b, 2026, format(b));
    expect([first.number, second.number]).toEqual(['3201002026Z00001', '3201002026Z00002']);
    // Another city counts on its own.
    const c = cert('app-wuxi', '320202');
    expect((await repo.issue(c, 2026, format(c))).number).toBe('3202002026Z00001');
  });
});

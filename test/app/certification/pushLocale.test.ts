/** Pushes about an application go out in the language the worker chose, not always in Chinese. */
import { describe, expect, it } from 'vitest';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

describe('push language', () => {
  it('regression: an English-speaking worker whose application was returned got the notice in Chinese', async () => {
    const m = memoryCertificationDeps();
    const english = await m.worker('en1');
    await m.deps.workers.setLocale('sim', 'en1', 'en');
    const chinese = await m.worker('zh1');
    await m.deps.applications.create(sampleApplication({ id: 'a-en', workerId: english.id, userId: 'en1', level: 'intermediate' }));
    await m.deps.applications.create(sampleApplication({ id: 'a-zh', workerId: chinese.id, userId: 'zh1', level: 'intermediate' }));
    const admin = createAdminService(m.deps);
    expect((await admin.command(adminOf('320100'), 'a-en', { type: 'return', note: 'add the appointment letter' }, 1)).ok).toBe(true);
    expect((await admin.command(adminOf('320100'), 'a-zh', { type: 'return', note: '请补充任职文件' }, 1)).ok).toBe(true);
    expect(m.pushes.find((p) => p.userId === 'en1')?.text).toBe('Your application for "Intermediate" was returned for correction: add the appointment letter. Reply "status" for details and resubmit.');
    expect(m.pushes.find((p) => p.userId === 'zh1')?.text).toMatch(/^您申报的「中级」/);
  });
});

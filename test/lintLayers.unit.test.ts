/**
 * The layer rules in eslint.config.js: a layer-breaking import fails `npm run lint`. Each case lints a one-line
 * file placed (by name only, nothing is written) in a folder, through ESLint's own API and the project's config.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/engineHarness.ts';

const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: join(ROOT, path) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/engine/steps/newStep.ts', "import x from 'mongoose';"],
    ['src/engine/newFile.ts', "import { x } from '../store/mongo/connection.ts';"],
    ['src/domain/certification/newRule.ts', "import { x } from '../../engine/index.ts';"],
    ['src/domain/newRule.ts', "import { x } from 'node:fs';"],
    ['src/app/certification/newUseCase.ts', "import { x } from '../../store/mongo/workerRepository.ts';"],
    ['src/app/newUseCase.ts', "import { x } from '../scheduler/agenda/agendaScheduler.ts';"],
    ['src/app/worker/newUseCase.ts', "import x from 'koa';"],
    ['src/app/newUseCase.ts', "import { x } from '../main.ts';"],
    ['src/http/newRoute.ts', "import { x } from '../store/mongo/auditLog.ts';"],
    ['src/store/mongo/newStore.ts', "import { x } from '../../http/errors.ts';"],
    ['src/store/mongo/newStore.ts', "import { x } from '../../channels/telegram/module.ts';"],
    ['src/channels/telegram/newFile.ts', "import { x } from '../../store/mongo/telegramUsers.ts';"],
  ])('%s may not %s', async (path, code) => {
    const errors = await layerErrors(path, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src\/(engine|app|http)|adapters|channels talk/);
  });

  it.each([
    ['src/engine/newFile.ts', "import { x } from '../domain/text/normalize.ts';"],
    ['src/app/newUseCase.ts', "import { x } from './ports/clock.ts';"],
    ['src/store/mongo/newStore.ts', "import { x } from '../../channels/ports.ts';"],
    ['src/app/loadContent.ts', "import { x } from 'node:fs';"],
    ['src/main.ts', "import { x } from './store/mongo/auditLog.ts';"],
  ])('%s may %s', async (path, code) => {
    expect(await layerErrors(path, code)).toEqual([]);
  });
});

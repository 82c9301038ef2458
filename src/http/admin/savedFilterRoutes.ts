import type Router from '@koa/router';
import { z } from 'zod';
import type { ConsoleService } from '../../app/console/consoleService.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { fail, parse } from './validate.ts';

const body = z.strictObject({
  name: z.string().trim().min(1, 'a saved filter needs a name').max(60, 'a filter name is at most 60 characters'),
  // The review queue's own query parameters, as strings; checked again by the list when used.
  query: z
    .partialRecord(z.enum(['stage', 'status', 'level', 'region', 'name', 'limit'], { message: 'a saved filter holds stage, status, level, region, name and/or limit' }), z.string().max(60))
    .refine((q) => Object.keys(q).length > 0, 'a saved filter needs at least one of stage, status, level, region, name'),
});
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');

/** Saved review-queue filters, each admin's own: GET/POST /saved-filters, DELETE /saved-filters/:id. */
export function registerSavedFilterRoutes(router: Router, console: ConsoleService): void {
  const adminOf = (ctx: { state: { admin?: unknown } }) => ctx.state.admin as AdminRecord;

  router.get('/saved-filters', async (ctx) => {
    ctx.body = { filters: (await console.savedFilters(adminOf(ctx))).map(({ id: fid, name, query }) => ({ id: fid, name, query })) };
  });

  router.post('/saved-filters', async (ctx) => {
    const input = parse(body, ctx.request.body);
    const saved = await console.saveFilter(adminOf(ctx), { name: input.name, query: input.query as Record<string, string> });
    ctx.status = 201;
    ctx.body = { id: saved.id, name: saved.name, query: saved.query };
  });

  router.delete('/saved-filters/:id', async (ctx) => {
    const r = await console.deleteFilter(adminOf(ctx), parse(id, ctx.params.id));
    if (!r.ok) fail(r.error);
    ctx.status = 204;
  });
}

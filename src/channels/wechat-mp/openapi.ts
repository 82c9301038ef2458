import { z } from 'zod';
import * as s from './schemas.ts';

/**
 * The OpenAPI 3.1 document of /mp/api, generated from the zod schemas the routes use (OpenAPI 3.1 schemas are
 * JSON Schema 2020-12, z.toJSONSchema's default target). Request bodies are described as the server reads them
 * (io: input), responses as it writes them.
 */
export function buildOpenApi(opts: { serverUrl?: string } = {}): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  // Each schema is generated on its own (with its named parts in $defs), then the parts are hoisted into
  // components.schemas: a "#/$defs/..." pointer inside a component would resolve against the document root.
  const hoist = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as T;
  const ref = (schema: z.ZodType, io: 'input' | 'output') => {
    const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    const { $schema: _ignored, $defs, ...rest } = generated as { $schema?: string; $defs?: Record<string, unknown> };
    for (const [name, def] of Object.entries($defs ?? {})) schemas[name] = hoist(def);
    return hoist(rest);
  };
  const json = (schema: z.ZodType, io: 'input' | 'output') => ({ content: { 'application/json': { schema: ref(schema, io) } } });
  const error = (description: string) => ({ description, ...json(s.errorBody, 'output') });
  const authErrors = { '401': error('No, malformed, unknown or expired session token: log in again.') };
  const common = { '400': error('The body is not valid JSON or does not match the schema.'), '413': error('The body is too large.') };
  const secured = [{ session: [] }];

  return {
    openapi: '3.1.0',
    info: {
      title: 'redcollar mini program API',
      version: '1.0.0',
      description:
        'The API behind the WeChat mini program of redcollar. Log in with the code of wx.login(), then send the token as `Authorization: Bearer <token>`. Conversations go through the same engine as every other channel.',
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    paths: {
      '/mp/api/login': {
        post: {
          summary: 'Exchange a wx.login() code for a session token',
          requestBody: { required: true, ...json(s.loginRequest, 'input') },
          responses: {
            '200': { description: 'Logged in.', ...json(s.loginResponse, 'output') },
            ...common,
            '429': error('Too many logins (WeChat 45011).'),
            '502': error('WeChat did not answer usefully; try again.'),
          },
        },
      },
      '/mp/api/logout': {
        post: { summary: 'End this session', security: secured, responses: { '204': { description: 'Logged out.' }, ...authErrors } },
      },
      '/mp/api/me': {
        get: { summary: 'Whether the user is registered, with masked profile basics', security: secured, responses: { '200': { description: 'The profile.', ...json(s.meResponse, 'output') }, ...authErrors } },
      },
      '/mp/api/turn': {
        post: {
          summary: 'Send one message to the bot; get its replies',
          security: secured,
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,100}$' }, description: 'The same as body.messageId.' }],
          requestBody: { required: true, ...json(s.turnRequest, 'input') },
          responses: { '200': { description: 'The replies.', ...json(s.turnResponse, 'output') }, ...common, ...authErrors },
        },
      },
      '/mp/api/notices': {
        get: { summary: 'Training notices waiting for an answer, with their choices', security: secured, responses: { '200': { description: 'The notices.', ...json(s.noticesResponse, 'output') }, ...authErrors } },
      },
      '/mp/api/status': {
        get: {
          summary: 'The progress of registration and applications, as text',
          security: secured,
          parameters: [{ name: 'locale', in: 'query', required: false, schema: { type: 'string', enum: ['zh-CN', 'en'] } }],
          responses: { '200': { description: 'The status.', ...json(s.statusResponse, 'output') }, ...authErrors },
        },
      },
      '/mp/api/subscriptions': {
        get: { summary: 'Subscribe-message templates and the sends left of each', security: secured, responses: { '200': { description: 'Grants.', ...json(s.subscriptionsResponse, 'output') }, ...authErrors } },
        post: {
          summary: 'Report the result of wx.requestSubscribeMessage',
          security: secured,
          requestBody: { required: true, ...json(s.subscriptionsRequest, 'input') },
          responses: { '200': { description: 'Grants after recording.', ...json(s.subscriptionsResponse, 'output') }, ...common, ...authErrors },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'The token from POST /mp/api/login.' } },
    },
  };
}
